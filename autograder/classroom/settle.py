"""Settling a class: each row's grade from the files, and the pages that show it.

A row's total is what its tests gave, with the points a person gave its manual questions
(graded_by_hand.csv), the instructor's adjustments (adjustments.csv) and the late policy
applied. Whoever changes one of those (a class run, an adjustment made in the
review app, a regrade) settles the class again from the files on disk, with the class's lock
held: so a class run and the review app at work on one class at once lose nothing of either,
whatever order they write in. history.csv gets a line for each change.
"""

import csv
import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from operator import attrgetter

from autograder.classroom.adjustments import append_adjustment, read_adjustments, remove_adjustment
from autograder.classroom.by_hand import give, read_by_hand
from autograder.classroom.canvas_csv import write_canvas_csv
from autograder.classroom.collect import read_ignored
from autograder.classroom.gradebook import Gradebook, as_text
from autograder.classroom.late import Lateness, lateness, settle
from autograder.classroom.summary import write_summary
from autograder.contract import GradeResult
from autograder.errors import InputError
from autograder.folders import ClassFolder
from autograder.reports.write import write_student_reports

HISTORY_COLUMNS = ["when", "student", "why", "sha256", "total_before", "total_after"]
by_student = attrgetter("student")


def settle_class(out, config, found=None, pages_of=None):
    """Every row of the gradebook settled again, the gradebook rewritten, and the pages made anew:
    the feedback pages of `pages_of` (default: everyone), feedback.zip and the summary.

    `found`: {student: collect.Submission} of the files a run has in hand, which say who a student
    is and how late; a row without one keeps what it recorded. Returns the rows, by student."""
    found, folder = found or {}, ClassFolder(out)
    with folder.lock:
        adjustments = read_adjustments(folder.adjustments, list(config.points))
        by_hand = read_by_hand(folder.by_hand, config)
        book = Gradebook.of(folder.gradebook, config)
        rows = book.read()
        settlements = {key: _settlement(row, found.get(key), adjustments, by_hand, config) for key, row in rows.items()}
        final = sorted(
            (_settled(row, found.get(key), settlements[key], config) for key, row in rows.items()), key=by_student
        )
        book.rewrite(final)  # the same order whatever paths were named
        records = {row.student: record for row in final if (record := previous_grade(out, row.student))}
        _write_feedback(final, records, out, config, settlements, pages_of)
        write_summary(final, records, out, config, read_ignored(folder.ignored))
        if folder.canvas.exists():  # asked for once (--canvas-csv): kept as settled since
            write_canvas_csv(final, folder.canvas, config)
    return {row.student: row for row in final}


def adjust(out, config, adjustment):
    """Add the instructor's `adjustment` (adjustments.Adjustment) and settle its student's grade at once."""
    with ClassFolder(out).lock:
        return _settling(out, config, adjustment, "adjustment", append_adjustment)


def undo_adjustment(out, config, index, expected):
    """Remove adjustment number `index` (from 0, in the file's order) if it is still `expected`; settle."""
    with ClassFolder(out).lock:
        return _settling(out, config, expected, "adjustment undone", remove_adjustment, index)


def grade_by_hand(out, config, grade):
    """Record a person's grade of one manual answer (by_hand.ByHand) and settle its student's grade at once."""
    with ClassFolder(out).lock:
        folder = ClassFolder(out)
        row = _row_of(folder, config, grade.student)
        give(folder.by_hand, replace(grade, student=row.student), config)
        after = settle_class(out, config, pages_of={row.student})
        of = config.points[grade.question]
        why = f"graded by hand: {grade.question} {grade.points:g} of {of:g} ({grade.comment})"
        log_history(folder.history, [(row.student, why, row.sha256, row.total, after[row.student].total)])
        return after[row.student]


def _row_of(folder, config, student):
    """The gradebook row of `student` (its key or its name), or InputError."""
    rows = Gradebook.of(folder.gradebook, config).read()
    row = rows.get(student) or next((r for r in rows.values() if r.name == student), None)
    if row is None:
        raise InputError(f"{student!r} has no row in {folder.gradebook}")
    return row


def _settling(out, config, adjustment, what, change, *where):
    folder = ClassFolder(out)
    row = _row_of(folder, config, adjustment.student)
    change(folder.adjustments, *where, adjustment, list(config.points))
    after = settle_class(out, config, pages_of={row.student})
    on = f" on {adjustment.question}" if adjustment.question else ""
    why = f"{what}: {adjustment.points:+g}{on} ({adjustment.reason})"
    log_history(folder.history, [(row.student, why, row.sha256, row.total, after[row.student].total)])
    return after[row.student]


def log_history(path, entries):
    """A line per change: when, whose, why, and the total before and after. `entries`:
    (student, why, sha256, total before or None, total after)."""
    new = not path.exists()
    when = datetime.now(UTC).isoformat(timespec="seconds")
    with open(path, "a", newline="") as f:
        writer = csv.writer(f)
        if new:
            writer.writerow(HISTORY_COLUMNS)
        for student, why, sha256, before, after in entries:
            writer.writerow([when, as_text(student), why, sha256, "" if before is None else before, after])


def previous_grade(out, student):
    """A submission's last grade (its grade.json), or None if there is none."""
    try:
        return GradeResult.from_dict(json.loads(ClassFolder(out).student(student).grade.read_text()))
    except (OSError, ValueError):
        return None


def _settlement(row, submission, adjustments, by_hand, config):
    """How the row's grade is made: its manual questions' grades, its adjustments, and its lateness (as
    recorded, if its file is not here)."""
    if submission is None:
        late = Lateness(row.days_late, row.late)
    else:
        late = lateness(submission.submitted_at, submission.marked_late, config.due_date)
    mine = [(a.question, a.points, a.reason) for a in adjustments if a.student in (row.student, row.name)]
    graded = [(q, g.points, g.comment) for q in config.manual if (g := by_hand.get((row.student, q)))]
    return settle(row.tested, _possible(config), mine, late, config, graded)


def _possible(config):
    """What a grade is out of: every question's points, the manual ones too."""
    return float(round(sum(config.points.values()), 4))


def _settled(row, submission, settlement, config):
    """The row as the gradebook shows it: who (as this run's files say), lateness, adjustments, the
    manual questions' points, the grade."""
    if submission is not None:
        row = replace(row, name=submission.name, lms_id=submission.lms_id)
    return replace(
        row,
        by_hand={q: points for q, points, _ in settlement.by_hand},
        possible=_possible(config),
        days_late=settlement.days_late,
        late=settlement.late,
        adjustments=settlement.adjustment,
        late_penalty=settlement.late_penalty,
        total=settlement.total,
    )


def _write_feedback(rows, records, out, config, settlements, pages_of=None):
    """The reports of `pages_of` (everyone's by default) again, with their adjustments and lateness;
    and feedback.zip of every page."""
    pages = []
    for row in (r for r in rows if r.student in records):
        folder = ClassFolder(out).student(row.student)
        if pages_of is None or row.student in pages_of:
            write_student_reports(records[row.student], folder.path, config, row.name, settlements[row.student])
        pages.append((f"{row.student}.html", folder.feedback.read_text()))
    with zipfile.ZipFile(ClassFolder(out).feedback_zip, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, page in pages:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # the same pages, the same bytes
            bundle.writestr(info, page, zipfile.ZIP_DEFLATED)

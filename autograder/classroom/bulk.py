"""Grade a whole class in parallel, losing nothing, and grading again only what must be.

The out folder is the class. A run grades the submissions that are new, whose file changed
(its hash is in the gradebook) or that the instructor names (`regrade`); every other row is
kept as it is. With `questions`, a named submission whose file is unchanged has only those
questions graded again, running only the cells their tests need (no retraining for a
question that does not read the model). Each row goes into gradebook.csv as soon as its
submission is done, so a crash or Ctrl-C keeps every finished row and the same command resumes.

Then every row is settled: the instructor's adjustments (adjustments.csv) and the late
policy applied, the feedback pages written again to show them, history.csv told what
changed, and the summary page and the feedback bundle made anew (the command line then writes
the similarity page: similarity/compare).
"""

import csv
import json
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from operator import attrgetter

from tqdm import tqdm

from autograder.classroom.adjustments import read_adjustments
from autograder.classroom.collect import collect, of_assignment
from autograder.classroom.gradebook import Gradebook, Row, as_text, fingerprint
from autograder.classroom.late import Lateness, lateness, settle
from autograder.classroom.summary import write_summary
from autograder.contract import GradeResult
from autograder.errors import InputError
from autograder.folders import ClassFolder
from autograder.grading.isolate import Spares, affordable_jobs, grade_isolated
from autograder.reports.write import write_student_reports

HISTORY_COLUMNS = ["when", "student", "why", "sha256", "total_before", "total_after"]
by_student = attrgetter("student")


@dataclass(frozen=True)
class Job:
    """One submission to grade in this run, and why."""

    submission: object  # a collect.Submission
    sha256: str
    why: str
    questions: tuple | None = None
    previous: GradeResult | None = None


@dataclass
class ClassRun:
    """What a run did: the gradebook's rows, and what the instructor should be told."""

    rows: list[Row]
    graded: list[Job]
    ignored: list  # collect.Ignored
    absent: list[Row]
    """Rows kept from earlier runs whose submission is not under this run's paths."""
    warnings: list[str]


def grade_all(paths, out, config, jobs, sandbox, regrade=None, questions=None, cluster=None) -> ClassRun:
    """Grade the class under `paths` into `out`, each submission in `sandbox`, `jobs` at a time.

    `regrade`: None (only new and changed files), [] (every submission) or student names.
    `questions`: grade only these questions again, for the submissions regraded.
    `cluster`: a cluster.Cluster whose workers grade instead (in their own sandboxes).
    """
    folder = ClassFolder(out)
    held = folder.assignment()
    if held not in (None, config.assignment):
        raise InputError(f"{out} holds the class of {held!r}: grade {config.assignment!r} into another folder (--out)")
    submissions, ignored = collect(paths, folder.unpacked)
    submissions, others = of_assignment(submissions, config.assignment)
    ignored += others
    if not submissions:
        raise no_submissions(paths, ignored)
    out.mkdir(parents=True, exist_ok=True)
    folder.assignment_file.write_text(f"{config.assignment}\n")
    adjustments = read_adjustments(folder.adjustments, list(config.points))
    book = Gradebook(folder.gradebook, config.points, config.measured)
    rows = book.read()
    todo = _plan(submissions, rows, out, regrade, questions)
    before = {job.submission.student: rows.get(job.submission.student) for job in todo}
    with book.appending(fresh=not rows) as add:
        for row in _graded(todo, out, config, jobs, sandbox, len(submissions), cluster):
            rows[row.student] = row
            add(row)
    found = {s.student: s for s in submissions}
    settlements = {key: _settlement(row, found.get(key), adjustments, config) for key, row in rows.items()}
    final = sorted((_settled(row, found.get(key), settlements[key]) for key, row in rows.items()), key=by_student)
    absent = [row for row in final if row.student not in found]
    book.rewrite(final)  # the same order whatever paths were named
    _log_history(folder.history, todo, before, {r.student: r for r in final})
    records = {row.student: record for row in final if (record := _previous(out, row.student))}
    _write_feedback(final, records, out, config, settlements)
    write_summary(final, records, out, config, ignored)
    unknown = sorted({a.student for a in adjustments} - {n for row in final for n in (row.student, row.name)})
    warnings = [f"adjustments.csv names {s}, who has no row in the gradebook: not applied" for s in unknown]
    return ClassRun(final, todo, ignored, absent, warnings)


def no_submissions(paths, ignored):
    """The error of a run with nothing to grade, naming the first files it passed over and why."""
    listed = "; ".join(f"{i.path.name}: {i.why}" for i in ignored[:5])
    return InputError(f"no submissions in {', '.join(map(str, paths))}" + (f" (ignored: {listed})" if listed else ""))


def _plan(submissions, rows, out, regrade, questions):
    """The jobs of this run: new and changed files in full; named submissions in full or by question."""
    named = _named(submissions, regrade) if regrade else None
    todo = []
    for s in submissions:
        sha, old = fingerprint(s.path), rows.get(s.student)
        if old is None or old.sha256 != sha:
            todo.append(Job(s, sha, "new" if old is None else "file changed"))
        elif regrade == [] or (named and s.student in named) or (questions and regrade is None):
            previous = _previous(out, s.student) if questions and old.graded else None
            if previous is None:
                todo.append(Job(s, sha, "regrade"))
            else:
                todo.append(Job(s, sha, f"regrade of {', '.join(questions)}", tuple(questions), previous))
    return todo


def _named(submissions, names):
    """The keys of the submissions `names` names (by gradebook key or by name); an unknown name is an error."""
    keys = {}
    for s in submissions:
        keys.setdefault(s.student, s.student)
        keys.setdefault(s.name, s.student)
    unknown = [n for n in names if n not in keys]
    if unknown:
        known = ", ".join(sorted(s.student for s in submissions)[:20])
        raise InputError(f"--regrade: no submission of {', '.join(unknown)} (the class: {known})")
    return {keys[n] for n in names}


def _previous(out, student):
    """A submission's last grade (its grade.json), or None if there is none."""
    try:
        return GradeResult.from_dict(json.loads(ClassFolder(out).student(student).grade.read_text()))
    except (OSError, ValueError):
        return None


def _graded(todo, out, config, jobs, sandbox, class_size, cluster):
    """Gradebook rows as submissions finish, here `jobs` at a time or on `cluster`, the progress shown."""
    where = cluster and "on {} Dask workers ({} at once)".format(*cluster.workers())
    progress = _Progress(class_size, class_size - len(todo), where)
    rows = cluster.graded(todo, out, config) if cluster else _graded_here(todo, out, config, jobs, sandbox, progress)
    try:
        for row in rows:
            progress.done(row)
            yield row
    finally:  # also on Ctrl-C: the gradings under way stop; rows already written stay
        rows.close()
        progress.bar.close()


def _graded_here(todo, out, config, jobs, sandbox, progress):
    """Gradebook rows as submissions finish, graded on this machine `jobs` at a time, each by the
    first child to get ready while earlier ones graded, children graded again (isolate.Spares)."""
    stop = threading.Event()
    jobs, why = affordable_jobs(jobs, config, sandbox)
    if why:
        progress.bar.write(why)

    def grade(job, spares):
        with progress.grading(job.submission.student):
            folder, child = ClassFolder(out).student(job.submission.student).path, spares.take(stop)
            try:
                result = grade_isolated(
                    job.submission, folder, config, stop, sandbox, job.questions, job.previous, child
                )
            finally:
                spares.give_back(child)
            return Row.of(job.submission, result, job.sha256, config.measured)

    with Spares(config, sandbox, jobs, len(todo)) as spares:
        pool = ThreadPoolExecutor(jobs)
        try:
            for future in as_completed([pool.submit(grade, job, spares) for job in todo]):
                yield future.result()
        finally:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)


class _Progress:
    """The progress bar: submissions done, who is being graded (or where), how many were not graded."""

    def __init__(self, total, done, where=None):
        self.bar = tqdm(total=total, initial=done, unit="submission")
        self.lock, self.running, self.failed, self.where = threading.Lock(), [], 0, where
        self.show()

    @contextmanager
    def grading(self, student):
        with self.lock:
            self.running.append(student)
        self.show()
        try:
            yield
        finally:
            with self.lock:
                self.running.remove(student)

    def done(self, row):
        self.failed += not row.graded
        self.bar.update()
        self.show()

    def show(self):
        with self.lock:
            who = self.where or ", ".join(self.running) or "-"
        self.bar.set_postfix_str(f"grading {who}; not graded {self.failed}")


def _settlement(row, submission, adjustments, config):
    """How the row's grade is made: its adjustments, and its lateness (as recorded, if its file is not here)."""
    if submission is None:
        late = Lateness(row.days_late, row.late)
    else:
        late = lateness(submission.submitted_at, submission.marked_late, config.due_date)
    mine = [(a.question, a.points, a.reason) for a in adjustments if a.student in (row.student, row.name)]
    return settle(row.tested, row.possible, mine, late, config)


def _settled(row, submission, settlement):
    """The row as the gradebook shows it: who (as this run's files say), lateness, adjustments, the grade."""
    if submission is not None:
        row = replace(row, name=submission.name, lms_id=submission.lms_id)
    return replace(
        row,
        days_late=settlement.days_late,
        late=settlement.late,
        adjustments=settlement.adjustment,
        late_penalty=settlement.late_penalty,
        total=settlement.total,
    )


def _log_history(path, todo, before, after):
    """One line per grading of this run: when, whose, why, and the total before and after."""
    new = not path.exists()
    when = datetime.now(UTC).isoformat(timespec="seconds")
    with open(path, "a", newline="") as f:
        writer = csv.writer(f)
        if new:
            writer.writerow(HISTORY_COLUMNS)
        for job in todo:
            key = job.submission.student
            if key in after:
                old = before.get(key)
                writer.writerow(
                    [when, as_text(key), job.why, job.sha256, "" if old is None else old.total, after[key].total]
                )


def _write_feedback(rows, records, out, config, settlements):
    """Each submission's reports again, with its adjustments and lateness; and feedback.zip of the pages."""
    pages = []
    for row in (r for r in rows if r.student in records):
        folder = ClassFolder(out).student(row.student)
        write_student_reports(records[row.student], folder.path, config, row.name, settlements[row.student])
        pages.append((f"{row.student}.html", folder.feedback.read_text()))
    with zipfile.ZipFile(ClassFolder(out).feedback_zip, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, page in pages:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # the same pages, the same bytes
            bundle.writestr(info, page, zipfile.ZIP_DEFLATED)

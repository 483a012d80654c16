"""adjustments.csv: the instructor's own changes to grades, kept apart from the tests' scores.

A regrade request accepted, a penalty for a copied answer: one line each (student,
question, points, reason), in the class's out folder. Every run and regrade reads the file
again and applies it, so an adjustment outlives any regrade; the gradebook shows their sum
as its own column and the feedback page lists them with their reasons.
"""

import csv
import os
from dataclasses import dataclass

from autograder.errors import AdjustmentsError

COLUMNS = ["student", "question", "points", "reason"]


@dataclass(frozen=True)
class Adjustment:
    student: str
    """The gradebook's key or the student's name."""
    question: str
    """A question's name, or "" for the submission as a whole."""
    points: float
    """Added to the score (negative for a penalty)."""
    reason: str


def read_adjustments(path, questions) -> list[Adjustment]:
    """Every line of the file (which is created, with its header alone, if missing); an unusable line is an error."""
    if not path.exists():
        path.write_text(",".join(COLUMNS) + "\n")
        return []
    adjustments = []
    with open(path, newline="", encoding="utf-8-sig") as f:  # -sig: a spreadsheet's byte-order mark
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not set(COLUMNS) <= set(reader.fieldnames):
            raise AdjustmentsError(f"{path}: the first line must be the header {','.join(COLUMNS)}")
        for line, values in enumerate(reader, start=2):
            adjustments.append(_adjustment(values, questions, f"{path}, line {line}"))
    return adjustments


def _adjustment(values, questions, where):
    student, question = (values["student"] or "").strip(), (values["question"] or "").strip()
    if not student:
        raise AdjustmentsError(f"{where}: no student")
    if question and question not in questions:
        raise AdjustmentsError(f"{where}: no question {question!r} (the questions: {', '.join(questions)})")
    try:
        points = float(values["points"])
    except (TypeError, ValueError):
        raise AdjustmentsError(f"{where}: points {values['points']!r} is not a number") from None
    return Adjustment(student, question, points, (values["reason"] or "").strip())


def append_adjustment(path, adjustment, questions):
    """One more line at the end of the file (the review app's "adjust"); checked as a read line is."""
    values = {"student": adjustment.student, "question": adjustment.question, "points": adjustment.points}
    _adjustment({**values, "reason": adjustment.reason}, questions, "the new adjustment")
    read_adjustments(path, questions)  # the file is there, with its header, and usable
    ends_a_line = path.read_bytes().endswith(b"\n")  # a spreadsheet may save the last line without one
    with open(path, "a", newline="", encoding="utf-8") as f:
        if not ends_a_line:
            f.write("\r\n")
        csv.writer(f).writerow([adjustment.student, adjustment.question, adjustment.points, adjustment.reason])


def remove_adjustment(path, index, expected, questions):
    """Take out the adjustment number `index` (from 0, in the file's order), if it is still `expected`:
    the file may have changed since the instructor saw it. The other lines are kept as they are."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        lines = list(reader)
    found = _adjustment(lines[index], questions, f"{path}, line {index + 2}") if 0 <= index < len(lines) else None
    if found != expected:
        raise AdjustmentsError(f"{path}: adjustment {index + 1} is no longer the one shown: reload the page")
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, reader.fieldnames)
        writer.writeheader()
        writer.writerows(line for n, line in enumerate(lines) if n != index)
    os.replace(tmp, path)

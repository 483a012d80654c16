"""adjustments.csv: the instructor's own changes to grades, kept apart from the tests' scores.

A regrade request accepted, a penalty for a copied answer: one line each (student,
question, points, reason), in the class's out folder. Every run and regrade reads the file
again and applies it, so an adjustment outlives any regrade; the gradebook shows their sum
as its own column and the feedback page lists them with their reasons.
"""

import csv
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

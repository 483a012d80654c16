"""graded_by_hand.csv: the points a person gives the questions no test grades (`manual: true`).

The review app writes a line each time the instructor grades one answer (student, question,
points, comment); the last line for a student's question is its grade, so the file is the
whole story of each grade and may be edited in a spreadsheet. Like adjustments.csv it lives
beside the gradebook, apart from what the tests gave, so a regrade never loses it; settling
the class puts the points in the question's column, into the total, and on the feedback page.
"""

import csv
from dataclasses import dataclass

from autograder.errors import AdjustmentsError

COLUMNS = ["student", "question", "points", "comment"]


@dataclass(frozen=True)
class ByHand:
    student: str
    """The gradebook's key."""
    question: str
    points: float
    comment: str
    """What the student reads on their feedback page."""


def read_by_hand(path, config) -> dict[tuple[str, str], ByHand]:
    """Each (student, question)'s grade: the file's last line for it. No file: none yet."""
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not set(COLUMNS) <= set(reader.fieldnames):
            raise AdjustmentsError(f"{path}: the first line must be the header {','.join(COLUMNS)}")
        grades = [_checked(values, config, f"{path}, line {n}") for n, values in enumerate(reader, start=2)]
    return {(g.student, g.question): g for g in grades}


def give(path, grade, config):
    """Record a person's grade of one answer (checked as a read line is)."""
    _checked({**grade.__dict__, "points": str(grade.points)}, config, "the grade")
    new = not path.exists()
    with open(path, "a", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        if new:
            writer.writerow(COLUMNS)
        writer.writerow([grade.student, grade.question, grade.points, grade.comment])


def _checked(values, config, where):
    student, question = (values["student"] or "").strip(), (values["question"] or "").strip()
    if not student:
        raise AdjustmentsError(f"{where}: no student")
    if question not in config.manual:
        raise AdjustmentsError(f"{where}: {question!r} is not a manual question ({', '.join(config.manual)})")
    try:
        points = float(values["points"])
    except (TypeError, ValueError):
        raise AdjustmentsError(f"{where}: points {values['points']!r} is not a number") from None
    if not 0 <= points <= config.points[question]:
        raise AdjustmentsError(f"{where}: {question} is worth 0 to {config.points[question]:g} points, not {points:g}")
    return ByHand(student, question, points, (values["comment"] or "").strip())

"""gradebook.csv: one row per submission, written as each one finishes.

`Row` is the record; its field order is the CSV header, with one column per question
(in the config's order) where `scores` stands, and one per value the grader measures (the
config's `measured`) where `measured` stands. Rows read back from the file (to resume
a run, or to see which files changed) are the same records, so callers never compare
strings. The question columns are what the tests gave (a manual question's, what a person
gave); `total` is the grade: those plus the instructor's adjustments, less the late penalty.
"""

import csv
import hashlib
import os
from dataclasses import dataclass, field, fields

from autograder.contract import MODEL_WEIGHTS, Status
from autograder.errors import ConfigError
from autograder.names import shown, unshown

# A cell starting with one of these is a formula to a spreadsheet (CSV injection): a file
# named "=HYPERLINK(...).ipynb" must reach the instructor's spreadsheet as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEXT = ("student", "name", "lms_id", "file", "late", "error")


def as_text(value):
    """A student-controlled string as a spreadsheet shows it, never runs it (a leading quote) nor
    reverses it (control and bidirectional characters `shown`)."""
    value = shown(value)
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def fingerprint(path):
    """The sha256 of a submitted file's bytes ("" if there is no file): a row's `sha256`."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _from_text(value):
    """The original of an `as_text` string: a row read back names the very file it graded."""
    if not isinstance(value, str):
        return value
    quoted = value.startswith("'") and value[1:].startswith(_FORMULA_START)
    return unshown(value[1:] if quoted else value)


@dataclass
class Row:
    student: str
    """A unique key: the first column, and the submission's folder under students/."""
    name: str
    lms_id: str
    file: str
    sha256: str
    """The graded file's content hash: a run regrades a submission whose file changed."""
    days_late: int
    late: str
    """How the lateness was found ("" when on time)."""
    status: Status
    scores: dict
    """Points per question, by question name, as the tests gave them."""
    adjustments: float
    """The sum of the instructor's adjustments (adjustments.csv)."""
    late_penalty: float
    total: float
    possible: float
    measured: dict
    """What the grader measured itself, by name (the config's `measured`): a number, or None."""
    seconds: float
    error: str
    model: str = ""
    """How the grader got the model it measured: "loaded" (the weights handed in) or "retrained"; ""
    where the assignment takes no weights (contract.MODEL_WEIGHTS)."""
    by_hand: dict = field(default_factory=dict)
    """The points a person gave the manual questions (graded_by_hand.csv), in those questions' columns."""

    @classmethod
    def of(cls, submission, result, sha256, measured=()):
        """The row of a collect.Submission graded into a contract.GradeResult (no adjustments yet), with
        the values named `measured` the grader measured.
        Numbers as a row read back holds them (floats), so that the file's text does not depend
        on whether a row was graded in this run or an earlier one."""
        return cls(
            student=submission.student,
            name=submission.name,
            lms_id=submission.lms_id,
            file=str(submission.path.absolute()),  # read again by similarity and regrades, from any folder
            sha256=sha256,
            days_late=0,
            late="",
            status=result.status,
            scores={q.name: float(q.score) for q in result.questions},
            adjustments=0.0,
            late_penalty=0.0,
            total=float(round(result.score, 4)),
            possible=float(round(result.possible, 4)),
            measured={name: result.measurements.get(name) for name in measured},
            seconds=result.seconds,
            error=result.error or "",
            model=str(result.measurements.get(MODEL_WEIGHTS, "")).partition(":")[0],
        )

    @property
    def graded(self):
        return self.status is Status.GRADED

    def points_of(self, question):
        """A question's points: what its tests gave, or what a person gave a manual one; None if neither yet."""
        return self.scores.get(question, self.by_hand.get(question))

    @property
    def tested(self):
        """What the tests gave, before adjustments and lateness."""
        return round(sum(self.scores.values()), 4)

    def to_csv(self, questions, measured=()):
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _EXPANDED}
        values.update({name: as_text(values[name]) for name in _TEXT})
        values.update({m: "" if self.measured.get(m) is None else self.measured[m] for m in measured})
        points = {question_column(q): self.points_of(q) for q in questions}
        return {**values, **{column: "" if p is None else p for column, p in points.items()}}

    @classmethod
    def from_csv(cls, values, questions, measured=(), manual=()):
        values = {**values, **{name: _from_text(values[name]) for name in _TEXT}}
        tested = [q for q in questions if q not in manual]
        return cls(
            student=values["student"],
            name=values["name"],
            lms_id=values["lms_id"],
            file=values["file"],
            sha256=values["sha256"],
            days_late=int(values["days_late"]),
            late=values["late"],
            status=Status(values["status"]),
            scores={q: float(values[question_column(q)]) for q in tested if values.get(question_column(q))},
            adjustments=float(values["adjustments"]),
            late_penalty=float(values["late_penalty"]),
            total=float(values["total"]),
            possible=float(values["possible"]),
            measured={m: float(values[m]) if values[m] else None for m in measured},
            seconds=float(values["seconds"]),
            error=values["error"],
            model=values.get("model") or "",
            by_hand={q: float(values[question_column(q)]) for q in manual if values.get(question_column(q))},
        )


_EXPANDED = ("scores", "measured", "by_hand")  # each in the question and measured columns
_OWN_COLUMNS = {f.name for f in fields(Row) if f.name not in _EXPANDED}


def question_column(question):
    """A question's column: its name, unless a column of the row's own has it (an otter master's
    question `total`), then `total (question)`."""
    return f"{question} (question)" if question in _OWN_COLUMNS else question


def columns(questions, measured=()):
    """The gradebook's header: Row's fields, with a column per question and per measured value."""
    expanded = {"scores": [question_column(q) for q in questions], "measured": list(measured), "by_hand": []}
    header = [column for f in fields(Row) for column in expanded.get(f.name, [f.name])]
    twice = sorted({column for column in header if header.count(column) > 1})
    if twice:
        raise ConfigError(f"the gradebook would have two columns named {', '.join(twice)}: rename one of them")
    return header


class Gradebook:
    """The file, opened to add rows one at a time, each on disk before the next."""

    def __init__(self, path, questions, measured=(), manual=()):
        self.path, self.questions, self.measured, self.manual = path, list(questions), list(measured), list(manual)

    @classmethod
    def of(cls, path, config):
        """The gradebook of a class of the assignment `config` (config.Config) describes."""
        return cls(path, config.points, config.measured, config.manual)

    def read(self):
        """The rows already in the file, by student (none if there is no file).

        A row this version cannot read (an earlier version's status, a hand edit) is left
        out, so that its submission is graded again rather than the run stopping.
        """
        if not self.path.exists():
            return {}
        rows = {}
        with open(self.path, newline="") as f:
            for values in csv.DictReader(f):
                try:
                    row = Row.from_csv(values, self.questions, self.measured, self.manual)
                except (KeyError, TypeError, ValueError):
                    continue
                rows[row.student] = row
        return rows

    def add(self, row):
        """Put one row at the end of the file, on disk before it returns (a crash loses no finished
        row); a new file gets its header first. The file is opened for each row, since another
        writer may replace it between two (the class settled, under the class folder's lock)."""
        new = not self.path.exists()
        with open(self.path, "a", newline="") as f:
            writer = csv.DictWriter(f, columns(self.questions, self.measured))
            if new:
                writer.writeheader()
            writer.writerow(row.to_csv(self.questions, self.measured))
            f.flush()
            os.fsync(f.fileno())

    def rewrite(self, rows):
        """The final file: exactly `rows`, in order, replaced in one step."""
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, columns(self.questions, self.measured))
            writer.writeheader()
            writer.writerows(row.to_csv(self.questions, self.measured) for row in rows)
        os.replace(tmp, self.path)

"""Trust the weights a student handed in, or find out: their notebook trained again in the grader.

MNIST's test labels are public, so weights trained at home may have seen the test set, where a
notebook trained in the grader cannot (its kernel's test labels are zeros). `grade --reproduce`
trains again the loaded submissions it names: a share of the class ("10%", drawn from the grading
secret, so no student can know whether theirs is one), a number of them, or students by name, and
always those whose measured value is an outlier among the class's. Each is graded from its notebook
alone, into reproductions/, and `reproduced.csv` records the loaded value beside the reproduced one.
A loaded value above its reproduction by more than the measured value's `spread` (the config's:
what training again on another machine may change) is flagged for the instructor, in the summary and
the review app; the grade stays what was measured.
"""

import csv
import hashlib
import re
import statistics
from dataclasses import dataclass

import nbformat

from autograder.errors import InputError
from autograder.grading.submission import read_submission

COLUMNS = ["student", "sha256", "measured", "loaded", "reproduced", "flagged"]
OUTLIER_MADS = 3  # a loaded value this many median absolute deviations above the class's median


@dataclass(frozen=True)
class Reproduction:
    student: str
    sha256: str  # the file reproduced: a changed file is reproduced again
    measured: str
    loaded: float | None
    reproduced: float | None
    flagged: bool


def read_reproduced(path):
    """{student: [Reproduction, one per measured value]} of reproduced.csv, the last run's for each; none without it."""
    found = {}
    try:
        with open(path, newline="", encoding="utf-8") as f:
            for line in csv.DictReader(f):
                number = [None if line[k] == "" else float(line[k]) for k in ("loaded", "reproduced")]
                found.setdefault(line["student"], {})[line["measured"]] = Reproduction(
                    line["student"], line["sha256"], line["measured"], *number, line["flagged"] == "yes"
                )
    except FileNotFoundError:
        return {}
    return {student: list(values.values()) for student, values in found.items()}


def chosen(rows, asked, config):
    """The keys of the loaded rows to train again: those `asked` names ("10%", "3", names), and the outliers."""
    loaded = sorted((r for r in rows if r.model == "loaded" and r.graded), key=lambda r: _draw(config, r.student))
    keys = {r.student for r in loaded}
    picked = set()
    for who in asked:
        if re.fullmatch(r"\d+(\.\d+)?%", who):
            picked |= {r.student for r in loaded[: round(len(loaded) * float(who[:-1]) / 100)]}
        elif who.isdigit():
            picked |= {r.student for r in loaded[: int(who)]}
        elif who in keys:
            picked.add(who)
        else:
            raise InputError(f"--reproduce: {who!r} is no share (10%), number or student whose weights were loaded")
    return picked | _outliers(rows, loaded, config)


def _draw(config, student):
    """A student's place in the draw: from the grading secret, the same in every run."""
    return hashlib.sha256(f"{config.secret}:reproduce:{student}".encode()).hexdigest()


def _outliers(rows, loaded, config):
    """Loaded rows whose measured value stands far above the class's (median + 3 MADs, at least the spread)."""
    found = set()
    for name, measure in config.measured.items():
        values = [r.measured[name] for r in rows if r.graded and r.measured.get(name) is not None]
        if len(values) < 3:
            continue
        median = statistics.median(values)
        mad = statistics.median(abs(v - median) for v in values)
        above = median + max(OUTLIER_MADS * mad, measure["spread"])
        found |= {r.student for r in loaded if (r.measured.get(name) or 0) > above}
    return found


def notebook_alone(row, folder, assignment):
    """The row's notebook written alone into `folder` (no weights beside it: it is trained as written)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{assignment}.ipynb"
    nbformat.write(read_submission(row.file, assignment), path)
    return path


def compared(row, reproduced_row, config):
    """A Reproduction per measured value: the loaded value, the reproduced one, and whether to flag it."""
    found = []
    for name, measure in config.measured.items():
        loaded, again = row.measured.get(name), reproduced_row.measured.get(name)
        flagged = loaded is not None and (again is None or loaded - again > measure["spread"])
        found.append(Reproduction(row.student, row.sha256, name, loaded, again, flagged))
    return found


def record(path, reproductions):
    """Add lines to reproduced.csv (its header first if it is new); the last line of a student's value counts."""
    new = not path.exists()
    with open(path, "a", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        if new:
            writer.writerow(COLUMNS)
        for r in reproductions:
            numbers = ["" if v is None else round(v, 4) for v in (r.loaded, r.reproduced)]
            writer.writerow([r.student, r.sha256, r.measured, *numbers, "yes" if r.flagged else "no"])

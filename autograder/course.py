"""A course: its assignments, found by their masters, and where each one's files are.

An instructor adds an assignment by putting its master at `solutions/<name>.ipynb` (and, if
its grading needs code of its own, `solutions/<name>.py` beside it: hooks.py); nothing else
names it. `Assignment` is the one owner of that layout: every part of the kit asks it where
an assignment's files are.
"""

from dataclasses import dataclass
from pathlib import Path

from autograder import ROOT
from autograder import master as masters
from autograder.errors import KitError


@dataclass(frozen=True)
class Assignment:
    """The files of the assignment `name` in the course folder `root`."""

    name: str
    root: Path = ROOT

    @property
    def master(self):
        """The instructor's notebook in otter's assign format: the source of everything below."""
        return self.root / "solutions" / f"{self.name}.ipynb"

    @property
    def module(self):
        """Its own grading code, if it needs any (hooks.py says what it may hold)."""
        return self.root / "solutions" / f"{self.name}.py"

    @property
    def mutants(self):
        return self.root / "solutions" / f"{self.name}.mutants.yml"

    @property
    def calibration(self):
        return self.root / "solutions" / f"{self.name}.calibrate.yml"

    @property
    def student(self):
        """The student notebook (committed), which is also the grading template."""
        return self.root / "assignments" / self.name / f"{self.name}.ipynb"

    @property
    def dist(self):
        """What the build writes for grading (ignored by git)."""
        return self.root / "dist" / self.name

    @property
    def tests(self):
        return self.dist / "tests"

    @property
    def files(self):
        """The files its master declares (otter's `files:`, data it reads by a relative path), copied
        here at build: each grading kernel's working folder starts with them."""
        return self.dist / "files"

    def for_grading(self):
        """What grading it needs, wherever it is graded (a cluster's worker, Gradescope): the student
        notebook, the tests, its module, its otter settings and requirements, its files."""
        files = sorted(p for p in self.files.rglob("*") if p.is_file()) if self.files.is_dir() else []
        own = filter(Path.is_file, [self.module, self.otter_config, self.requirements])
        return [self.student, *sorted(self.tests.glob("*.py")), *own, *files]

    @property
    def requirements(self):
        """The packages its master says its grading needs (`requirements:`), a line each; absent if none."""
        return self.dist / "requirements.txt"

    @property
    def otter_config(self):
        """The settings otter assign wrote for its own grading (its seeding, say), kept from its zip."""
        return self.dist / "otter_config.json"

    @property
    def otter_zip(self):
        return self.dist / "otter-autograder.zip"

    @property
    def gradescope_zip(self):
        return self.dist / "autograder.zip"


def known_as(root=ROOT):
    """{a name a notebook may carry: the assignment it is}: each assignment by its own name, and by
    the `name` its master's ASSIGNMENT CONFIG gives (which otter writes into the notebooks it builds)."""
    known = {}
    for path in sorted((root / "solutions").glob("*.ipynb")):
        try:
            declared = (masters.assignment_config(masters.read(path), path.parent) or {}).get("name")
        except (KitError, OSError, ValueError):
            continue  # a master that cannot be read names nothing: `build` says why
        if declared:
            known.setdefault(str(declared), path.stem)
    return {**known, **{name: name for name in assignment_names(root)}}


def assignment_names(root=ROOT):
    """The course's assignments: one per master in solutions/, else (a grader's copy of the kit,
    without the solutions) one per student notebook built under assignments/."""
    masters = sorted(p.stem for p in (root / "solutions").glob("*.ipynb"))
    return masters or sorted(p.name for p in (root / "assignments").glob("*") if (p / f"{p.name}.ipynb").is_file())


def assignment_of(notebook):
    """The assignment a notebook says it belongs to (otter writes it into every notebook it builds); None if
    it says none."""
    name = notebook.get("metadata", {}).get("otter", {}).get("assignment_name")
    return name if isinstance(name, str) and name else None

"""Where a grading writes: a class's out folder, and each submission's folder in it.

The one owner of the out folder's layout: every part of the kit that reads or writes one of
these files asks here for its path, so a name changes in one place.

    OUT/gradebook.csv  adjustments.csv  history.csv  canvas_grades.csv  feedback.zip
    OUT/summary.html  summary.png  similarity.html  similarity.csv  similarity_decisions.csv
    OUT/assignment.txt  ignored.csv  .lock
    OUT/unpacked/                 LMS downloads, unpacked
    OUT/students/<student>/       grade.json  results.json  feedback.html  grader.log  answers.json
"""

from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock


@dataclass(frozen=True)
class SubmissionFolder:
    """One submission's grading: its own folder of a class, or the out folder of one submission."""

    path: Path

    grade = property(lambda self: self.path / "grade.json")
    """The contract.GradeResult, for the kit to read back."""
    results = property(lambda self: self.path / "results.json")
    """Gradescope's results.json."""
    feedback = property(lambda self: self.path / "feedback.html")
    log = property(lambda self: self.path / "grader.log")
    answers = property(lambda self: self.path / "answers.json")
    """The answer code similarity compared, kept for its reruns."""


@dataclass(frozen=True)
class ClassFolder:
    """A class's out folder: the class itself (running the same command again updates it)."""

    path: Path

    gradebook = property(lambda self: self.path / "gradebook.csv")
    adjustments = property(lambda self: self.path / "adjustments.csv")
    by_hand = property(lambda self: self.path / "graded_by_hand.csv")
    """The points and comments a person gave the manual questions (the review app's)."""
    history = property(lambda self: self.path / "history.csv")
    canvas = property(lambda self: self.path / "canvas_grades.csv")
    feedback_zip = property(lambda self: self.path / "feedback.zip")
    summary = property(lambda self: self.path / "summary.html")
    summary_plot = property(lambda self: self.path / "summary.png")
    similarity = property(lambda self: self.path / "similarity.html")
    similarity_csv = property(lambda self: self.path / "similarity.csv")
    unpacked = property(lambda self: self.path / "unpacked")
    assignment_file = property(lambda self: self.path / "assignment.txt")
    ignored = property(lambda self: self.path / "ignored.csv")
    """The files the last run passed over, and why."""
    reproduced = property(lambda self: self.path / "reproduced.csv")
    """Loaded weights checked by training their notebooks again (classroom/reproduce), and the flags."""
    reproductions = property(lambda self: self.path / "reproductions")
    """Those notebooks and their gradings, a class folder of its own."""
    decisions = property(lambda self: self.path / "similarity_decisions.csv")
    """The instructor's decisions on flagged pairs (the review app's)."""

    @property
    def lock(self):
        """Held by every writer of the class's shared files (the gradebook, adjustments, history, the
        pages), so that a class run and the review app at work on one class lose no line of either.
        Reentrant in a thread; other threads and processes wait."""
        return FileLock(self.path / ".lock", is_singleton=True)

    def assignment(self):
        """The assignment this class is of; None where no class was graded yet (or before it was recorded)."""
        try:
            return self.assignment_file.read_text().strip() or None
        except FileNotFoundError:
            return None

    def student(self, key) -> SubmissionFolder:
        return SubmissionFolder(self.path / "students" / key)

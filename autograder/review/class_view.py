"""What the review app shows of a class, read from its out folder at every request.

Nothing is cached: a class run or the command line may change the folder at any time, and
each page shows the files as they are. Students are found by their gradebook key among
the gradebook's rows, and every path comes from folders.ClassFolder: nothing a URL says
becomes a path.
"""

import csv
import os
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.classroom.adjustments import read_adjustments
from autograder.classroom.by_hand import read_by_hand
from autograder.classroom.collect import read_ignored
from autograder.classroom.gradebook import Gradebook, as_text
from autograder.classroom.reproduce import read_reproduced
from autograder.classroom.settle import previous_grade
from autograder.folders import ClassFolder


@dataclass(frozen=True)
class ClassView:
    out: Path
    config: object  # config.Config

    @property
    def folder(self):
        return ClassFolder(self.out)

    def rows(self):
        """The gradebook's rows by key, in the file's order."""
        return Gradebook.of(self.folder.gradebook, self.config).read()

    def record(self, key):
        """The student's last GradeResult (grade.json); None where there is none or it is unreadable."""
        return previous_grade(self.out, key)

    def history(self, key):
        """history.csv's lines of this student, oldest first."""
        return [line for line in _csv(self.folder.history) if line["student"] == as_text(key)]

    def adjustments(self, row):
        """(index in adjustments.csv, Adjustment) of this student's lines: the index undoes one."""
        if not self.folder.adjustments.exists():  # read_adjustments would create it
            return []
        lines = read_adjustments(self.folder.adjustments, list(self.config.points))
        return [(i, a) for i, a in enumerate(lines) if a.student in (row.student, row.name)]

    def by_hand(self):
        """{(student, question): by_hand.ByHand}: the manual questions' grades so far."""
        return read_by_hand(self.folder.by_hand, self.config)

    def checked(self):
        """{(student, measured value): reproduce.Reproduction}: loaded weights trained again, and the flags."""
        return {(r.student, r.measured): r for found in read_reproduced(self.folder.reproduced).values() for r in found}

    def ignored(self):
        """The files the last class run passed over, with why (collect.Ignored)."""
        return read_ignored(self.folder.ignored)

    def pairs(self, rows):
        """similarity.csv's pairs, each with its students' keys (None for one no longer in the gradebook)."""
        keys = {as_text(key): key for key in rows}
        return [
            {**line, "a": keys.get(line["student_a"]), "b": keys.get(line["student_b"])}
            for line in _csv(self.folder.similarity_csv)
        ]

    def progress(self, rows):
        """The gradebook as far as it is written: its rows, the folders started, how long since it changed."""
        try:
            changed = time.time() - self.folder.gradebook.stat().st_mtime
        except OSError:
            changed = None
        students = self.out / "students"
        started = sum(1 for p in students.iterdir() if p.is_dir()) if students.is_dir() else 0
        return {"rows": len(rows), "started": started, "changed": changed}

    def writable(self):
        """Whether this process may change the class: its folder and the files the app writes."""
        files = [self.folder.adjustments, self.folder.by_hand, self.folder.decisions, self.folder.gradebook]
        return os.access(self.out, os.W_OK) and all(os.access(f, os.W_OK) for f in files if f.exists())


def _csv(path):
    """A CSV file's lines as dicts; none if the file is not there."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        return []

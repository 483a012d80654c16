"""Adjusting and regrading one student of a graded class in place (the review app's actions), and a
class run going on meanwhile: the class settled from the files each time, nothing lost."""

import csv
import json
import shutil
import subprocess
import sys
import time

import pytest

from autograder import ROOT
from autograder.classroom.adjustments import Adjustment, read_adjustments
from autograder.classroom.bulk import grade_all, regrade_student
from autograder.classroom.gradebook import Gradebook
from autograder.classroom.settle import adjust, undo_adjustment
from autograder.errors import AdjustmentsError
from autograder.folders import ClassFolder
from tests.helpers import submission_of

DOES_NOTHING = "def train(X, y, params, activation='tanh', learning_rate=0.5, n_steps=1000):\n    return params, []\n"


@pytest.fixture(scope="module")
def graded(spiral, sandbox, tmp_path_factory):
    """A spiral class of two, graded: ann (the solution) and bob (a train that does nothing)."""
    root = tmp_path_factory.mktemp("settle")
    (root / "in").mkdir()
    submission_of(spiral, root / "in" / "ann.ipynb")
    submission_of(spiral, root / "in" / "bob.ipynb", train=DOES_NOTHING)
    grade_all([root / "in"], root / "out", spiral, 2, sandbox)
    return root


def _rows(out, config):
    return Gradebook(ClassFolder(out).gradebook, config.points, config.measured).read()


def test_an_adjustment_settles_at_once_everywhere_and_undoes(graded, spiral, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded / "out", out)
    before = _rows(out, spiral)["bob"]
    accepted = Adjustment("bob", "train", 1.5, "regrade request: the loss list was right")
    row = adjust(out, spiral, accepted)
    assert (row.total, row.adjustments) == (before.total + 1.5, 1.5)
    assert _rows(out, spiral)["bob"].total == before.total + 1.5 and _rows(out, spiral)["ann"].total == 20
    folder = ClassFolder(out).student("bob")
    assert json.loads(folder.results.read_text())["score"] == before.total + 1.5
    assert "regrade request: the loss list was right" in folder.feedback.read_text()
    with open(ClassFolder(out).history, newline="") as f:
        last = list(csv.DictReader(f))[-1]
    assert last["why"] == "adjustment: +1.5 on train (regrade request: the loss list was right)"

    with pytest.raises(AdjustmentsError, match="no longer the one shown"):
        undo_adjustment(out, spiral, 0, Adjustment("bob", "train", 2.0, "another"))
    assert undo_adjustment(out, spiral, 0, accepted).total == before.total
    assert read_adjustments(ClassFolder(out).adjustments, list(spiral.points)) == []
    assert "regrade request" not in folder.feedback.read_text()


def test_a_one_question_regrade_grades_that_question_from_the_recorded_file(graded, spiral, sandbox, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded / "out", out)
    before = _rows(out, spiral)["bob"]
    row = regrade_student(out, spiral, "bob", ["train"], sandbox)
    assert row.scores == before.scores and row.total == before.total
    with open(ClassFolder(out).history, newline="") as f:
        assert list(csv.DictReader(f))[-1]["why"] == "regrade of train"


def test_adjustments_made_while_a_class_run_grades_lose_nothing(graded, spiral, tmp_path):
    """The review app's writes and a class run's, in two processes on one class at once."""
    out, folder = tmp_path / "out", tmp_path / "in"
    shutil.copytree(graded / "in", folder)
    for name in ("cyd", "dee"):
        submission_of(spiral, folder / f"{name}.ipynb")
    shutil.copytree(graded / "out", out)  # ann and bob graded; cyd and dee new
    run = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", folder, "--out", out, "-j", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    made = []
    while run.poll() is None and len(made) < 3:
        made.append(adjust(out, spiral, Adjustment("bob", "", 0.5, f"adjustment {len(made) + 1}")))
        time.sleep(1)
    assert run.wait(timeout=300) == 0, run.stdout.read()
    assert len(made) >= 2, "the run ended before the adjustments could overlap it"
    rows = _rows(out, spiral)
    assert sorted(rows) == ["ann", "bob", "cyd", "dee"]
    assert rows["bob"].adjustments == 0.5 * len(made)
    assert [a.reason for a in read_adjustments(ClassFolder(out).adjustments, list(spiral.points))] == [
        f"adjustment {n}" for n in range(1, len(made) + 1)
    ]

"""The course's second assignment, backpropagation on the spiral: NumPy only, measured by the
grader's own network on spiral points it draws itself."""

import os
import shutil
import threading

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import ROOT
from autograder.classroom.collect import one_submission
from autograder.grading.isolate import grade_isolated
from tests.helpers import FOR_THE_PRIMER, run_cli, submission_of

# train, written to update the parameters it is given rather than copies of them.
TRAIN_IN_PLACE = """\
def train(X, y, params, activation="tanh", learning_rate=0.5, n_steps=1000):
    losses = []
    for _ in range(n_steps):
        losses.append(float(cross_entropy(forward(X, params, activation)[0], y)))
        grads = backward(X, y, params, activation)
        for k in params:
            params[k] -= learning_rate * grads[k]
    return params, losses
"""

COLAB = "type(get_ipython()).__module__ = 'google.colab._shell'  # how otter (and the notebook) recognise Colab"


def _grade(config, path, out, sandbox):
    return grade_isolated(one_submission(path), out, config, threading.Event(), sandbox)


def test_its_solution_gets_every_point_and_the_grader_measures_its_network(spiral, sandbox, tmp_path, monkeypatch):
    """Graded where no MNIST can be found: the spiral needs none."""
    monkeypatch.delenv("MNIST_PATH", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    graded = _grade(spiral, submission_of(spiral, tmp_path / "solution.ipynb"), tmp_path / "solution", sandbox)
    failed = [t.message for q in graded.questions for t in q.tests if not t.passed]
    assert (graded.score, graded.possible, graded.error, failed) == (20, 20, None, [])
    assert graded.measurements["spiral_accuracy"] >= spiral.measured["spiral_accuracy"]["target"]
    print(f"backprop_spiral: its solution graded in {graded.seconds} s")


def test_a_train_that_changes_the_params_it_is_given_loses_its_points_saying_where(spiral, sandbox, tmp_path):
    """The grader compares the arrays inside a dict argument as it does a lone array."""
    path = submission_of(spiral, tmp_path / "in_place.ipynb", train=TRAIN_IN_PLACE)
    graded = _grade(spiral, path, tmp_path / "in_place", sandbox)
    scores = {q.name: q.score for q in graded.questions}
    assert scores["train"] == 0 and scores["backward"] == 5, scores
    hidden = next(t for q in graded.questions for t in q.tests if t.name.startswith("random runs"))
    assert "train changed its input array (argument 3['W1']) in place" in hidden.message, hidden.message


def test_a_class_of_both_assignments_grades_in_one_run_per_assignment(spiral, tmp_path):
    """One folder of both assignments' notebooks: each run grades its own and lists the others as ignored."""
    (tmp_path / "in").mkdir()
    submission_of(spiral, tmp_path / "in" / "ann.ipynb")
    shutil.copy(spiral.files.student, tmp_path / "in" / "bob.ipynb")
    primer = ROOT / "assignments" / "deep_learning_primer" / "deep_learning_primer.ipynb"
    shutil.copy(primer, tmp_path / "in" / "cyd.ipynb")
    for name in ("backprop_spiral", "deep_learning_primer"):
        run = run_cli("grade", tmp_path / "in", "--assignment", name, "--out", tmp_path / name, "-j", 2)
        assert run.returncode == 0, run.stdout + run.stderr
    spiral_book = (tmp_path / "backprop_spiral" / "gradebook.csv").read_text().splitlines()
    assert ",spiral_accuracy" in spiral_book[0] and "test_accuracy" not in spiral_book[0]
    assert sorted(line.split(",")[0] for line in spiral_book[1:]) == ["ann", "bob"]
    primer_book = (tmp_path / "deep_learning_primer" / "gradebook.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in primer_book[1:]] == ["cyd"]

    # Again, into the same folder: its class's assignment is known; another one's is refused.
    again = run_cli("grade", tmp_path / "in", "--out", tmp_path / "backprop_spiral")
    assert again.returncode == 0 and "graded now: none" in again.stdout, again.stdout + again.stderr
    assert run_cli("similarity", tmp_path / "backprop_spiral").returncode == 0
    mixed = run_cli("grade", tmp_path / "in", "--out", tmp_path / "backprop_spiral", *FOR_THE_PRIMER)
    assert mixed.returncode == 2 and "holds the class of 'backprop_spiral'" in mixed.stderr, mixed.stderr


@pytest.mark.parametrize("where", ["jupyter", "colab"])
def test_the_student_notebook_runs_top_to_bottom_blank_and_answered(spiral, tmp_path, where):
    """Run All, as a student does: blank, every check says what is not written yet and nothing raises;
    answered, every public check passes. The Submission cell names the questions not answered yet
    and writes one zip (on Colab, where the notebook is not a file, it says how to download it)."""
    for state in ("blank", "answered"):
        folder = tmp_path / state
        folder.mkdir()
        path = folder / "backprop_spiral.ipynb"
        if state == "blank":
            shutil.copy(spiral.files.student, path)
        else:
            submission_of(spiral, path)
        nb = nbformat.read(path, as_version=4)
        if where == "colab":
            nb.cells.insert(0, nbformat.v4.new_code_cell(COLAB))
            path.unlink()
        NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(folder)}}).execute(
            env={**os.environ, "MPLBACKEND": "Agg"}
        )
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert not errors, (state, errors[:1])
        checks = {c.id: _text(c) for c in nb.cells if c.id.endswith("-check")}
        assert len(checks) == 6
        for question, text in checks.items():
            if state == "blank":
                assert "not written yet" in text or "not trained" in text, (question, text)
            else:
                assert "passed" in text and "failed" not in text, (question, text)
        submission = _text(next(c for c in nb.cells if "grader.export(" in c.source))
        if where == "colab":
            assert "File > Download > Download .ipynb" in submission and not list(folder.glob("*.zip"))
        else:
            assert ("Question(s) 1, 2, 3, 4, 5 are not answered" in submission) == (state == "blank"), submission
            assert len(list(folder.glob("*.zip"))) == 1


def _text(cell):
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", []))

"""Build: solutions regenerate the student notebooks, byte for byte."""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace

import nbformat
import pytest

from autograder import ROOT
from autograder.assign import answers
from autograder.assign.build import build_one, stale_notebooks
from autograder.assign.gradescope_zip import write_zip
from autograder.config import load_config
from autograder.course import Assignment
from tests.helpers import PRIMER, QUICK_TRAINING, make_submission, run_cli, solution_answers

# Question 1 answered, only the gradient of Question 2, a model trained for seconds: some hidden
# tests pass, some fail, and the accuracy is far below the target.
PARTIAL = {"gradient_descent": "def gradient(w):\n    return 2 * (w - 3)\n", **answers.quick_answers(PRIMER.mutants)}


def test_the_committed_student_notebook_is_what_the_solutions_build_to(built):
    """The suite never rebuilds the committed notebook, so a stale one fails here."""
    before = built.read_bytes()
    result = run_cli("build", "--check")
    assert result.returncode == 0 and "up to date" in result.stdout, result.stdout + result.stderr
    assert built.read_bytes() == before


def test_check_reports_a_stale_student_notebook_and_writes_nothing(tmp_path, config):
    for folder in ("solutions", "assignments"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    solution = tmp_path / "solutions" / "deep_learning_primer.ipynb"
    nb = nbformat.read(solution, as_version=4)
    nb.cells[1].source += "\n\nA new sentence from the instructor."
    nbformat.write(nb, solution)
    config = load_config(root=tmp_path, assignment=config.assignment)
    committed = config.files.student
    before = committed.read_bytes()
    assert stale_notebooks([config]) == [committed]
    assert committed.read_bytes() == before and not (tmp_path / "dist").exists()


def test_the_gradescope_zip_of_unchanged_files_is_the_same_zip(built, config):
    """Rebuilt tests are new files with new times: the zip holds a fixed date, not theirs."""
    before = config.files.gradescope_zip.read_bytes()
    for path in config.files.tests.glob("*.py"):
        os.utime(path, (path.stat().st_atime + 100, path.stat().st_mtime + 100))
    assert write_zip(config).read_bytes() == before


def test_student_notebook_has_no_solutions_or_hidden_tests(built):
    text = built.read_text()
    for secret in (
        "BEGIN SOLUTION",
        "e / (1 + e)",
        "history.append(gradient_descent_step",
        "layers.Conv2D(32",
        "# HIDDEN",
        "test_extreme_inputs_are_stable",
        "test_accuracy_measured_by_the_grader",
        "hidden=True",
    ):
        assert secret not in text, secret
    public = json.loads(text)["metadata"]["otter"]["tests"]
    assert sorted(public) == ["activations", "gradient_descent", "improved_model", "mnist_accuracy"]


def test_points_seed_and_target_come_from_the_config(tmp_path, config):
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    measured = {"test_accuracy": {**config.measured["test_accuracy"], "target": 0.99}}
    changed = replace(config, points={**config.points, "activations": 6}, seed=7, measured=measured, root=tmp_path)
    student = build_one(changed, tmp_path, tmp_path)
    text = student.read_text()
    assert "TARGET_ACCURACY = 0.99" in text and "rng_seed = 7" in text
    tests = (tmp_path / "dist" / "deep_learning_primer" / "tests" / "activations.py").read_text()
    assert "points = 6" in tests


def _otter_run(otter_zip, submission, out):
    """`otter run` of `submission` with `otter_zip`: its results.json's tests, by name."""
    command = [sys.executable, "-m", "otter", "run", "-a", str(otter_zip), "-o", str(out), "--no-logo"]
    run = subprocess.run([*command, str(submission)], capture_output=True, text=True, timeout=900, cwd=out)
    assert run.returncode == 0, run.stdout + run.stderr
    return {t["name"]: t for t in json.loads((out / "results.json").read_text())["tests"]}


@pytest.mark.slow
def test_otters_own_autograder_measures_as_the_kit_does(tmp_path, built, lenient_config):
    """With a target the quick training passes (the lenient config's 0.3), `otter run` of the kit's
    otter zip gives mnist_accuracy its 2 points, as the kit does: the build ships the assignment's
    module and its settings in the zip, for the hidden test that measures (without: 0 of 2)."""
    config = load_config(lenient_config, assignment="deep_learning_primer")
    build_one(config, tmp_path / "students", tmp_path / "course")
    submission = make_submission(tmp_path / "deep_learning_primer.ipynb", built, mnist_accuracy=QUICK_TRAINING)
    otter = _otter_run(Assignment(config.assignment, tmp_path / "course").otter_zip, submission, tmp_path)
    run_cli("--config", lenient_config, "grade", submission, "--out", tmp_path / "kit")
    kit = json.loads((tmp_path / "kit" / "grade.json").read_text())
    assert (
        otter["mnist_accuracy"]["score"]
        == 2
        == next(q["score"] for q in kit["questions"] if q["name"] == "mnist_accuracy")
    )


@pytest.mark.slow
def test_otters_own_autograder_runs_the_hidden_tests_and_scores_as_the_kit(tmp_path, built, config):
    """dist's otter-autograder.zip, graded by `otter run`: the student's setup cell must not write
    over the tests otter grades with, so the hidden tests count there as in the kit."""
    nb = answers.fill_answers(nbformat.read(built, as_version=4), {**solution_answers(), **PARTIAL})
    baseline = next(c for c in nb.cells if "epochs=10" in c.source and "demo" in c.metadata.get("tags", []))
    baseline.source = baseline.source.replace("epochs=10", "epochs=1")  # otter runs the demo too
    path = tmp_path / f"{config.assignment}.ipynb"
    nbformat.write(nb, path)
    by_otter = _otter_run(config.files.otter_zip, path, tmp_path)
    kit = run_cli("grade", path, "--out", tmp_path / "kit")
    assert kit.returncode == 0, kit.stdout + kit.stderr
    for question in json.loads((tmp_path / "kit" / "grade.json").read_text())["questions"]:
        otter = by_otter[question["name"]]
        expected = pytest.approx((question["score"], question["possible"]), abs=1e-4)  # the kit keeps 4 places, otter 5
        assert (otter["score"], otter["max_score"]) == expected, question["name"]

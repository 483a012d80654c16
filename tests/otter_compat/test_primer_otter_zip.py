"""The primer's own otter zip (dist/<a>/otter-autograder.zip) grades a measured question as the kit does.

Its hidden test imports the assignment's module and measures the model on the grader's MNIST; the
build ships both the module and the settings in the zip's files/, which otter copies beside the tests.
"""

import json
import subprocess
import sys

import pytest

from autograder.assign.build import build_one
from autograder.config import load_config
from autograder.course import Assignment
from tests.helpers import QUICK_TRAINING, make_submission, run_cli

pytestmark = pytest.mark.slow  # otter run trains the quick model: a minute


def test_otter_run_of_the_kits_zip_gives_the_measured_question_the_kits_points(tmp_path, built, lenient_config):
    """With a target the quick training passes (the lenient config's 0.3), `otter run` gives
    mnist_accuracy its 2 points, as the kit does (before, its test could not import the module: 0)."""
    config = load_config(lenient_config, assignment="deep_learning_primer")
    build_one(config, tmp_path / "students", tmp_path / "course")
    otter_zip = Assignment(config.assignment, tmp_path / "course").otter_zip
    submission = make_submission(tmp_path / "deep_learning_primer.ipynb", built, mnist_accuracy=QUICK_TRAINING)
    (tmp_path / "otter").mkdir()
    command = [sys.executable, "-m", "otter", "run", "-a", str(otter_zip), "-o", str(tmp_path / "otter")]
    subprocess.run([*command, "--no-logo", str(submission)], cwd=tmp_path, capture_output=True, timeout=900, check=True)
    otter = {t["name"]: t.get("score") for t in json.loads((tmp_path / "otter" / "results.json").read_text())["tests"]}

    run_cli("--config", lenient_config, "grade", submission, "--out", tmp_path / "kit")
    kit = json.loads((tmp_path / "kit" / "grade.json").read_text())
    assert otter["mnist_accuracy"] == 2 == next(q["score"] for q in kit["questions"] if q["name"] == "mnist_accuracy")

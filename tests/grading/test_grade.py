"""Grading for real: a python3 kernel runs the notebook, TensorFlow trains on MNIST."""

import csv
import json

import pytest

from autograder import ROOT
from autograder.contract import GradeResult
from tests.catalogue import PLANTED
from tests.helpers import run_cli, valid_results

pytestmark = pytest.mark.slow


def scores(result):
    return {q.name: q.score for q in result.questions}


def public_passed(result, question):
    return all(t.passed for q in result.questions if q.name == question for t in q.tests if not t.hidden)


def test_solution_gets_full_marks(tmp_path, built, config):
    """The full path, as an instructor runs it: the CLI on the solution notebook, real training."""
    run = run_cli("grade", ROOT / "solutions" / "deep_learning_primer.ipynb", "--out", tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "total                  10.00    10" in run.stdout, run.stdout
    results = valid_results(tmp_path / "results.json")
    assert (
        results["score"] == 10 and results["extra_data"]["test_accuracy"] >= config.measured["test_accuracy"]["target"]
    )
    assert "10.00 / 10" in (tmp_path / "feedback.html").read_text()


def planted(strict_run, question):
    out, _ = strict_run
    return GradeResult.from_dict(json.loads((out / "students" / f"planted_{question}" / "grade.json").read_text()))


@pytest.mark.parametrize("question", PLANTED)
def test_hidden_tests_catch_a_planted_bug(strict_run, config, question):
    result = planted(strict_run, question)
    assert public_passed(result, question), "the planted bug should pass the public tests"
    assert scores(result)[question] < config.points[question]
    assert all(scores(result)[q] == config.points[q] for q in PLANTED if q != question)


def test_the_target_comes_from_the_config(strict_run, class_run, config):
    """The same submission, trained alike: 0 points at the shipped target, full points at the class run's 0.3."""
    _, strict = strict_run
    with open(class_run["out"] / "gradebook.csv", newline="") as f:
        lenient = {row["student"]: row for row in csv.DictReader(f)}
    assert strict["same0"]["test_accuracy"] == lenient["alice"]["test_accuracy"]
    assert 0.3 < float(strict["same0"]["test_accuracy"]) < config.measured["test_accuracy"]["target"]
    assert float(strict["same0"]["mnist_accuracy"]) == 0
    assert float(lenient["alice"]["mnist_accuracy"]) == config.points["mnist_accuracy"]

"""Grading for real: a python3 kernel runs the notebook, TensorFlow trains on MNIST."""

import json

import pytest

from autograder import ROOT
from autograder.classroom.bulk import grade_all
from autograder.contract import GradeResult, Status
from autograder.grading.grade import grade_submission
from tests.helpers import QUICK_TRAINING, make_submission, run_cli, solution_answers, valid_results

pytestmark = pytest.mark.slow

# Bugs that the public tests miss and the hidden tests must catch.
PLANTED = {
    "activations": (
        "e = np.exp(-np.abs(z))  # never overflows: the exponent is <= 0\n"
        "    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))",
        "return 1 / (1 + np.exp(-z))",
    ),  # a sigmoid that overflows
    "gradient_descent": (
        "return w - learning_rate * grad_fn(w)",
        "return w - learning_rate * gradient(w)",
    ),  # ignores grad_fn
    "improved_model": ('layers.Dense(10, activation="softmax")', "layers.Dense(10)"),  # no softmax output
}


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
    assert results["score"] == 10 and results["extra_data"]["test_accuracy"] >= config.min_test_accuracy
    assert "10.00 / 10" in (tmp_path / "feedback.html").read_text()


def test_blank_student_notebook_scores_zero(built, config):
    result = grade_submission(built, config)
    assert result.error is None and result.status is Status.GRADED
    assert result.score == 0 and result.possible == 10


@pytest.fixture(scope="module")
def planted(tmp_path_factory, built, config):
    """One submission per planted bug, all trained too little, graded together."""
    folder = tmp_path_factory.mktemp("planted")
    (folder / "in").mkdir()
    for question, (old, new) in PLANTED.items():
        answer = solution_answers()[question]
        assert old in answer
        make_submission(
            folder / "in" / f"{question}.ipynb",
            built,
            **{question: answer.replace(old, new), "mnist_accuracy": QUICK_TRAINING},
        )
    grade_all([folder / "in"], folder / "out", config, jobs=2)
    return {
        q: GradeResult.from_dict(json.loads((folder / "out" / "students" / q / "grade.json").read_text()))
        for q in PLANTED
    }


@pytest.mark.parametrize("question", PLANTED)
def test_hidden_tests_catch_a_planted_bug(planted, config, question):
    result = planted[question]
    assert public_passed(result, question), "the planted bug should pass the public tests"
    assert scores(result)[question] < config.points[question]
    assert all(scores(result)[q] == config.points[q] for q in PLANTED if q != question)


def test_too_little_training_misses_the_target_set_in_the_config(tmp_path, planted, built, config):
    strict = planted["activations"]
    assert scores(strict)["mnist_accuracy"] == 0 and strict.measurements["test_accuracy"] < config.min_test_accuracy

    lenient = tmp_path / "grading_config.yml"
    lenient.write_text(config.path.read_text().replace("min_test_accuracy: 0.98", "min_test_accuracy: 0.5"))
    path = make_submission(tmp_path / "sub.ipynb", built, mnist_accuracy=QUICK_TRAINING)
    run = run_cli("grade", path, "--config", lenient, "--out", tmp_path / "out")  # --config after the command
    assert run.returncode == 0, run.stdout + run.stderr
    tests = {t["name"]: t for t in valid_results(tmp_path / "out" / "results.json")["tests"]}
    assert tests["mnist_accuracy"]["score"] == config.points["mnist_accuracy"], tests["mnist_accuracy"]

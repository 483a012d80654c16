"""Grading for real: a python3 kernel runs the notebook, TensorFlow trains on MNIST."""
from dataclasses import replace

import pytest

from autograder.grade import grade_submission
from conftest import QUICK_TRAINING, make_submission, run_cli, solution_answers, valid_results

pytestmark = pytest.mark.slow


def scores(result):
    return {q.name: q.score for q in result.questions}


def public_passed(result, question):
    return all(t.passed for q in result.questions if q.name == question for t in q.tests if not t.hidden)


def test_solution_gets_full_marks(tmp_path, built, config):
    """The full path, as an instructor runs it: the CLI on the solution notebook, real training."""
    from autograder import ROOT

    run = run_cli("grade", ROOT / "solutions" / "deep_learning_primer.ipynb", "--out", tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "total                  10.00    10" in run.stdout, run.stdout
    results = valid_results(tmp_path / "results.json")
    assert results["score"] == 10 and results["extra_data"]["test_accuracy"] >= config.min_test_accuracy
    assert "10.00 / 10" in (tmp_path / "feedback.html").read_text()


def test_blank_student_notebook_scores_zero(built, config):
    result = grade_submission(built, config)
    assert result.error is None
    assert result.score == 0 and result.possible == 10


# Bugs that the public tests miss and the hidden tests must catch.
PLANTED = {
    "activations": ("e = np.exp(-np.abs(z))  # never overflows: the exponent is <= 0\n    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))",
                    "return 1 / (1 + np.exp(-z))"),  # a sigmoid that overflows
    "gradient_descent": ("return w - learning_rate * grad_fn(w)", "return w - learning_rate * gradient(w)"),  # ignores grad_fn
    "improved_model": ('layers.Dense(10, activation="softmax")', "layers.Dense(10)"),  # no softmax output
}


@pytest.mark.parametrize("question", PLANTED)
def test_hidden_tests_catch_a_planted_bug(tmp_path, built, config, question):
    old, new = PLANTED[question]
    answer = solution_answers()[question]
    assert old in answer
    path = make_submission(tmp_path / "sub.ipynb", built, **{question: answer.replace(old, new), "mnist_accuracy": QUICK_TRAINING})
    result = grade_submission(path, config)
    assert public_passed(result, question), "the planted bug should pass the public tests"
    assert scores(result)[question] < config.points[question]
    others = {q for q in PLANTED if q != question}
    assert all(scores(result)[q] == config.points[q] for q in others)


def test_too_little_training_misses_the_target_set_in_the_config(tmp_path, built, config):
    path = make_submission(tmp_path / "sub.ipynb", built, mnist_accuracy=QUICK_TRAINING)
    strict = grade_submission(path, config)
    assert scores(strict)["mnist_accuracy"] == 0
    assert scores(strict)["improved_model"] == config.points["improved_model"]

    lenient = tmp_path / "grading_config.yml"
    lenient.write_text(config.path.read_text().replace("min_test_accuracy: 0.98", "min_test_accuracy: 0.5"))
    run = run_cli("--config", lenient, "grade", path, "--out", tmp_path / "out")
    assert run.returncode == 0, run.stdout + run.stderr
    tests = {t["name"]: t for t in valid_results(tmp_path / "out" / "results.json")["tests"]}
    assert tests["mnist_accuracy"]["score"] == config.points["mnist_accuracy"], tests["mnist_accuracy"]

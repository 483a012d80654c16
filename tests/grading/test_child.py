"""The grading child's contract: a result is believed only from a child that exited normally."""

import threading

import pytest

from autograder.classroom.collect import one_submission
from autograder.contract import Status
from autograder.errors import KitError
from autograder.grading.isolate import grade_isolated


def grade(path, out, config, sandbox):
    return grade_isolated(one_submission(path), out, config, 1, threading.Event(), sandbox)


def test_a_not_graded_verdict_comes_back_with_its_reason_and_reports(tmp_path, config, sandbox):
    (tmp_path / "nb.ipynb").write_text("[]")
    result = grade(tmp_path / "nb.ipynb", tmp_path / "out", config, sandbox)
    assert result.status is Status.NOT_GRADED and "not a Jupyter notebook" in result.error
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "grade.json",
        "results.json",
        "feedback.html",
        "grader.log",
    }


def test_a_kit_error_in_the_child_is_raised_in_the_parent(tmp_path, built, config, monkeypatch, sandbox):
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "no-such.npz"))
    with pytest.raises(KitError, match="MNIST_PATH names"):
        grade(built, tmp_path / "out", config, sandbox)

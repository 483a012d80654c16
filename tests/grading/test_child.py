"""The grading child's contract: a result is believed only from a child that exited normally."""

import tempfile
import threading
import time

import psutil
import pytest

from autograder.classroom.collect import one_submission
from autograder.contract import Status
from autograder.errors import KitError
from autograder.grading.child import WAITED
from autograder.grading.isolate import Child, Spares, grade_isolated


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


def test_a_child_started_ahead_grades_what_it_is_handed_later_timed_from_the_hand_over(
    tmp_path, built, config, sandbox
):
    """It starts its kernel and runs the grader's setup before it has a submission (as Spares do)."""
    started = time.monotonic()
    with Child(config, 1, sandbox) as child:
        while not [p for p in psutil.Process(child.process.pid).children(recursive=True) if "bwrap" in p.name()]:
            time.sleep(0.1)  # its kernel is starting: it has no submission yet
        time.sleep(1)
        handed = time.monotonic()
        result = child.grade(built, tmp_path / "grader.log", threading.Event())
    assert result.status is Status.GRADED and result.score == 0
    assert {"kernel start", "grader setup cell"} <= result.measurements["phases_ahead"].keys()
    assert result.measurements["phases"][WAITED] > 0  # handed over while its kernel was still starting
    assert result.seconds <= time.monotonic() - handed + 0.1 and handed - started > 1


def test_spares_never_handed_a_submission_are_stopped_and_leave_nothing(tmp_path, config, sandbox, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # their folders, told from other gradings'

    def spares():
        return [p for p in psutil.Process().children() if p.cwd().startswith(str(tmp_path))]

    with Spares(config, 1, sandbox, ahead=2, total=3):
        time.sleep(3)  # getting ready: kernels starting
        trees = [q for p in spares() for q in [p, *p.children(recursive=True)]]
        assert len(spares()) == 2 and len(list(tmp_path.glob("kit-submission-*"))) == 2
    assert not [p for p in trees if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not list(tmp_path.iterdir())


def test_spares_hand_a_submission_to_a_ready_child_and_record_its_wait(tmp_path, built, config, sandbox):
    with Spares(config, 1, sandbox, ahead=1, total=1) as spares, spares.take(threading.Event()) as child:
        result = child.grade(built, tmp_path / "grader.log", threading.Event())
    assert result.status is Status.GRADED and result.score == 0
    assert WAITED not in result.measurements["phases"]  # ready when handed its submission
    assert result.measurements["waited_for_a_ready_child"] > 1  # its kernel's start and the grader's setup cell
    assert "grader setup cell" in result.measurements["phases_ahead"]


def test_a_child_that_dies_getting_ready_is_taken_at_once_and_says_why(tmp_path, built, config, sandbox, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "no-such.npz"))
    with Spares(config, 1, sandbox, ahead=1, total=1) as spares, spares.take(threading.Event()) as child:
        assert child.waited < 30  # not the patience given to a child still getting ready
        with pytest.raises(KitError, match="MNIST_PATH names"):
            child.grade(built, tmp_path / "grader.log", threading.Event())


def test_a_stopped_run_takes_a_child_without_waiting_for_it(config, sandbox):
    stop = threading.Event()
    stop.set()
    with Spares(config, 1, sandbox, ahead=1, total=1) as spares, spares.take(stop) as child:
        assert child.waited < 1

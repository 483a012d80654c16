"""The grading child's contract: a result is believed only from a child that signalled it graded."""

import select
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
from tests.helpers import QUICK_TRAINING, make_submission, solution_answers


def grade(path, out, config, sandbox):
    return grade_isolated(one_submission(path), out, config, threading.Event(), sandbox)


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
    with Child(config, sandbox) as child:
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

    with Spares(config, sandbox, ahead=2, total=3):
        time.sleep(3)  # getting ready: kernels starting
        trees = [q for p in spares() for q in [p, *p.children(recursive=True)]]
        assert len(spares()) == 2 and len(list(tmp_path.glob("kit-submission-*"))) == 2
    assert not [p for p in trees if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not list(tmp_path.iterdir())


def test_spares_hand_a_submission_to_a_ready_child_and_record_its_wait(tmp_path, built, config, sandbox):
    with Spares(config, sandbox, ahead=1, total=1) as spares, spares.take(threading.Event()) as child:
        result = child.grade(built, tmp_path / "grader.log", threading.Event())
    assert result.status is Status.GRADED and result.score == 0
    assert WAITED not in result.measurements["phases"]  # ready when handed its submission
    assert result.measurements["waited_for_a_ready_child"] > 1  # its kernel's start and the grader's setup cell
    assert "grader setup cell" in result.measurements["phases_ahead"]


def test_a_child_that_dies_getting_ready_is_taken_at_once_and_says_why(tmp_path, built, config, sandbox, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "no-such.npz"))
    with Spares(config, sandbox, ahead=1, total=1) as spares, spares.take(threading.Event()) as child:
        assert child.waited < 30  # not the patience given to a child still getting ready
        with pytest.raises(KitError, match="MNIST_PATH names"):
            child.grade(built, tmp_path / "grader.log", threading.Event())


def test_a_stopped_run_takes_a_child_without_waiting_for_it(config, sandbox):
    stop = threading.Event()
    stop.set()
    with Spares(config, sandbox, ahead=1, total=1) as spares, spares.take(stop) as child:
        assert child.waited < 1


# Traces a submission leaves for the next one graded by the same child: a file in HOME and in
# /tmp, a process, an environment variable. The next submission's relu finds none of them.
LEAVE_TRACES = """
import os, pathlib, subprocess, sys
pathlib.Path.home().joinpath("trace").write_text("x")
pathlib.Path("/tmp/trace").write_text("x")
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
os.environ["TRACE"] = "x"
"""
FIND_TRACES = """
import os, pathlib
_traces = [pathlib.Path.home() / "trace", pathlib.Path("/tmp/trace")]
_relu = relu
def relu(z):
    assert not any(p.exists() for p in _traces) and "TRACE" not in os.environ, "a trace of another submission"
    return _relu(z)
"""


def test_a_child_grades_its_next_submission_afresh_its_imports_paid_once(tmp_path, built, config, sandbox):
    activations = solution_answers()["activations"]
    first, second = (
        make_submission(
            tmp_path / f"{name}.ipynb", built, activations=activations + extra, mnist_accuracy=QUICK_TRAINING
        )
        for name, extra in (("first", LEAVE_TRACES), ("second", FIND_TRACES))
    )
    with Child(config, sandbox) as child:
        results = [child.grade(first, tmp_path / "first.log", threading.Event())]
        select.select([child.signals], [], [], 120)  # ready again, as Spares would wait for
        results.append(child.grade(second, tmp_path / "second.log", threading.Event()))
        assert child.alive  # ready for a third
    assert [r.status for r in results] == [Status.GRADED, Status.GRADED]
    assert [q.score for q in results[0].questions] == [q.score for q in results[1].questions]
    assert results[1].questions[0].score == results[1].questions[0].possible  # no trace found
    assert results[0].measurements["test_accuracy"] == results[1].measurements["test_accuracy"]
    assert "start" in results[0].measurements["phases_ahead"] and "start" not in results[1].measurements["phases_ahead"]
    assert "kernel start" in results[1].measurements["phases_ahead"]  # its own kernel, started while it waited


def test_a_child_stopped_at_a_limit_is_not_handed_another_submission(tmp_path, built, config, sandbox):
    stop = threading.Event()
    with Spares(config, sandbox, ahead=1, total=2) as spares:
        child = spares.take(threading.Event())
        stop.set()
        result = child.grade(built, tmp_path / "grader.log", stop)
        spares.give_back(child)
        assert result.status is Status.INTERRUPTED and not child.alive
        assert spares.take(threading.Event()) is not child

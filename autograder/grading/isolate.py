"""Grade one submission in its own process, within time and memory limits.

The child is the kit's own entry point (child.py, started with `python -I`) in its own
session and temporary directory; this parent watches its whole process tree (the kernel
included), stops it when the wall-clock or memory limit is reached, always removes its
temporary files, and alone writes the reports. Nothing a submission does can stop, slow
or change the grading of another.

A child gets ready (imports, its kernel started and set up) before it is handed its
submission, so a class run starts the next children while the current ones grade (Spares),
and hands each submission to the first child that is ready: a submission's time and limits
count from that hand-over, and its wait for a ready child is recorded beside them.
"""

import functools
import json
import os
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

import psutil

from autograder.contract import ChildExit, GradeResult, Status
from autograder.errors import ContractError, KitError
from autograder.grading.grade import planned_questions
from autograder.grading.sandbox import kill
from autograder.reports.write import write_reports

POLL_SECONDS = 0.5
MAX_RESULT_BYTES = 64 * 2**20


def grade_isolated(submission, out, config, threads, stop, sandbox, questions=None, previous=None, child=None):
    """Grade `submission` (a collect.Submission) in `sandbox` and write its reports into the folder `out`.

    `stop` (a threading.Event) ends the grading early, e.g. on Ctrl-C. With `questions`, only
    they are graded again, into `previous` (the last GradeResult of the same file); if that
    grading fails, its failure is the result. `child` is a Child started ahead (Spares), else
    one starts now. Raises KitError when the kit itself cannot grade (the same would happen to
    every submission).
    """
    out.mkdir(parents=True, exist_ok=True)
    result = run_isolated(submission.path, out / "grader.log", config, threads, stop, sandbox, questions, child)
    return record(result, previous, out, config, submission.name)


def record(result, previous, out, config, student):
    """The grading's reports in `out`: of `result`, or of `previous` with `result`'s questions in it."""
    if previous is not None and result.status is Status.GRADED:
        result = previous.regraded(result)
    write_reports(result, out, config, student)
    return result


def run_isolated(path, log, config, threads, stop, sandbox, questions=None, child=None) -> GradeResult:
    """The grade of the submission file `path`, graded by `child` (or a Child started now), its output in `log`.

    `stop` is anything with threading.Event's `is_set()`, polled while the child grades: a Dask
    worker passes a cluster's event.
    """
    with child or Child(config, threads, sandbox) as child:
        return child.grade(path, log, stop, questions)


class Child:
    """One grading child, started before its submission is known.

    It gets ready on its own (imports, a kernel started and set up: child.py) while the
    parent has no submission for it yet; `grade` then hands it one and watches it. A child
    grades one submission and is gone; leaving the `with` stops one never handed any and
    removes its folders.
    """

    def __init__(self, config, threads, sandbox):
        self.config = config
        self.workdir = Path(tempfile.mkdtemp(prefix="kit-submission-"))
        self.workdir.chmod(0o755)  # a kernel running as another user (sandbox.py) must reach its folder
        private = self.workdir / "grader"
        private.mkdir(mode=0o700)
        self.sockets = Path(tempfile.mkdtemp(prefix="kit-sockets-", dir="/tmp"))  # short, whatever TMPDIR is
        self.sockets.chmod(0o755)
        request, self.result_path, self.log = private / "request.json", private / "result.json", private / "log"
        self.ready_fd, signal = os.pipe()  # the child writes to it once ready; it ends (EOF) if the child dies
        self.waited = None  # seconds its submission waited for it to be ready (Spares)
        request.write_text(
            json.dumps(
                {
                    "config": str(config.path),
                    "root": str(config.root),
                    "result": str(self.result_path),
                    "sandbox": replace(sandbox, sockets=str(self.sockets)).to_dict(),
                    "started": time.time(),
                    "ready_fd": signal,
                }
            )
        )
        env = {
            **os.environ,
            "TMPDIR": str(self.workdir),
            "JUPYTER_RUNTIME_DIR": str(self.workdir),
            "TF_NUM_INTRAOP_THREADS": str(threads),
            "TF_NUM_INTEROP_THREADS": "1",
            "OMP_NUM_THREADS": str(threads),
        }
        command = [sys.executable, "-I", "-m", "autograder.grading.child", str(request)]
        with open(self.log, "w") as output:
            self.process = subprocess.Popen(
                command,
                cwd=private,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.PIPE,
                start_new_session=True,
                pass_fds=(signal,),
            )
        os.close(signal)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:  # never handed a submission, or the grading was cut short
            kill(_tree(self.process.pid))
        self.process.wait()
        self.process.stdin.close()
        os.close(self.ready_fd)
        shutil.rmtree(self.workdir, ignore_errors=True)
        shutil.rmtree(self.sockets, ignore_errors=True)

    def grade(self, path, log, stop, questions=None) -> GradeResult:
        """Hand the child the submission file `path` and watch it grade; its output is copied to `log`."""
        path = Path(path).absolute()
        started = time.monotonic()
        try:
            job = {"submission": str(path), "questions": questions, "handed": time.time()}
            self.process.stdin.write(json.dumps(job).encode() + b"\n")
            self.process.stdin.close()
        except OSError:  # it died getting ready: its exit code and result file say why
            pass
        stopped, peak = _watch(self.process, self.config, stop)
        result = _believed(self.process.returncode, stopped, self.result_path, path, self.config)
        shutil.copyfile(self.log, log)
        result.seconds = round(time.monotonic() - started, 1)  # wall time from the hand-over
        result.measurements["peak_memory_mb"] = round(peak / 2**20)
        if self.waited is not None:
            result.measurements["waited_for_a_ready_child"] = self.waited
        return result


class Spares:
    """Children started ahead, so that a submission finds one ready and the next one warms while it runs.

    `ahead` children are started and not yet taken at any time, and no more are started in
    all than `total`, the submissions to grade; a child is never handed a second submission.
    A submission goes to the first of them to be ready: so at the start of a run no more than
    `ahead` get ready at once (sharing the cores, they would all be ready late), and none
    is handed a submission while it still gets ready, unless that takes longer than a whole
    submission may (then its grading's limits stop it, as any). Thread-safe.
    """

    def __init__(self, config, threads, sandbox, ahead, total):
        self._start, self._ahead, self._left = functools.partial(Child, config, threads, sandbox), ahead, total
        self._patience = config.submission_timeout_seconds
        self._started, self._lock = [], threading.Lock()

    def __enter__(self):
        with self._lock:
            self._top_up()
        return self

    def __exit__(self, *exc):
        with self._lock:
            for child in self._started:
                child.__exit__()
            self._started, self._left = [], 0

    def take(self, stop):
        """The first child started ahead to be ready (a new one if none was started); the caller enters and
        grades with it. Returns early, with a child maybe not ready, once `stop` (a threading.Event) is set."""
        asked = time.monotonic()
        with self._lock:
            if not self._started:
                self._started.append(self._start())
            child = self._first_ready(stop, asked + self._patience)
            self._started.remove(child)
            self._top_up()
        child.waited = round(time.monotonic() - asked, 2)
        return child

    def _first_ready(self, stop, deadline):
        while not stop.is_set() and time.monotonic() < deadline:
            ready = select.select([c.ready_fd for c in self._started], [], [], POLL_SECONDS)[0]
            if ready:
                return next(c for c in self._started if c.ready_fd in ready)
        return self._started[0]

    def _top_up(self):
        while self._left > 0 and len(self._started) < self._ahead:
            self._started.append(self._start())
            self._left -= 1


def _believed(code, stopped, result_path, path, config):
    """The child's result if it exited normally and left a well-formed one; else a zero record and why."""
    if stopped:
        status, reason = stopped
        return GradeResult.without_results(str(path), planned_questions(config), reason, status)
    data = _read_result(result_path) if code in (ChildExit.RESULT_WRITTEN, ChildExit.KIT_ERROR) else None
    if code == ChildExit.KIT_ERROR and isinstance(data, dict) and "kit_error" in data:
        raise KitError(data["kit_error"])
    if code == ChildExit.RESULT_WRITTEN and isinstance(data, dict):
        try:
            return GradeResult.from_dict(data)
        except ContractError:
            pass
    reason = f"the grader crashed (exit code {code}); see grader.log"
    return GradeResult.without_results(str(path), planned_questions(config), reason, Status.CRASHED)


def _read_result(path):
    """The result file's JSON: a regular file of bounded size, not a link; None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RESULT_BYTES:
                return None
            return json.loads(f.read())
    except (OSError, ValueError):
        return None


def _watch(child, config, stop):
    """Wait for the child; returns ((status, reason) if it was stopped, else None; peak memory in bytes)."""
    deadline = time.monotonic() + config.submission_timeout_seconds
    limit = config.memory_limit_mb * 2**20
    seen, peak = set(), 0  # every process of the tree, so that a kernel orphaned by a crash is found too
    try:
        while child.poll() is None:
            tree = _tree(child.pid)
            seen.update(tree)
            peak = max(peak, _memory(tree))
            if peak > limit:
                return (Status.OUT_OF_MEMORY, f"out of memory: it used more than {config.memory_limit_mb:g} MB"), peak
            if time.monotonic() > deadline:
                return (
                    Status.TIMED_OUT,
                    f"timed out: grading took longer than {config.submission_timeout_seconds:g} s",
                ), peak
            if stop.is_set():
                return (Status.INTERRUPTED, "grading was interrupted"), peak
            with suppress(subprocess.TimeoutExpired):
                child.wait(POLL_SECONDS)  # returns as soon as the child exits
        return None, peak
    finally:  # Ctrl-C included: never leave a student's process running
        kill(seen | set(_tree(child.pid)))


def _tree(pid):
    try:
        parent = psutil.Process(pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return []


def _memory(processes):
    """Memory the tree uses: proportional set sizes, so that pages forked processes share count once."""
    total = 0
    for p in processes:
        try:
            total += p.memory_full_info().pss
        except psutil.AccessDenied:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total

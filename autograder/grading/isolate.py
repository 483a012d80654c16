"""Grade one submission in its own process, within time and memory limits.

The child is the kit's own entry point (child.py, started with `python -I`) in its own
session and temporary directory; this parent watches its whole process tree (the kernel
included), stops it when the wall-clock or memory limit is reached, always removes its
temporary files, and alone writes the reports. Nothing a submission does can stop, slow
or change the grading of another.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
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


def grade_isolated(submission, out, config, threads, stop, sandbox, questions=None, previous=None) -> GradeResult:
    """Grade `submission` (a collect.Submission) in `sandbox` and write its reports into the folder `out`.

    `stop` (a threading.Event) ends the grading early, e.g. on Ctrl-C. With `questions`, only
    they are graded again, into `previous` (the last GradeResult of the same file); if that
    grading fails, its failure is the result. Raises KitError when the kit itself cannot grade
    (the same would happen to every submission).
    """
    out.mkdir(parents=True, exist_ok=True)
    result = run_isolated(submission.path, out / "grader.log", config, threads, stop, sandbox, questions)
    return record(result, previous, out, config, submission.name)


def record(result, previous, out, config, student):
    """The grading's reports in `out`: of `result`, or of `previous` with `result`'s questions in it."""
    if previous is not None and result.status is Status.GRADED:
        result = previous.regraded(result)
    write_reports(result, out, config, student)
    return result


def run_isolated(path, log, config, threads, stop, sandbox, questions=None) -> GradeResult:
    """The grade of the submission file `path`, graded by the child process, its output in the file `log`.

    `stop` is anything with threading.Event's `wait(timeout)`: a Dask worker passes a cluster's event.
    """
    path = Path(path).absolute()
    workdir = Path(tempfile.mkdtemp(prefix="kit-submission-"))
    workdir.chmod(0o755)  # a kernel running as another user (sandbox.py) must reach its folder
    private = workdir / "grader"
    private.mkdir(mode=0o700)
    sockets = Path(tempfile.mkdtemp(prefix="kit-sockets-", dir="/tmp"))  # short, whatever TMPDIR is
    sockets.chmod(0o755)
    request, result_path = private / "request.json", private / "result.json"
    request.write_text(
        json.dumps(
            {
                "submission": str(path),
                "config": str(config.path),
                "root": str(config.root),
                "result": str(result_path),
                "sandbox": replace(sandbox, sockets=str(sockets)).to_dict(),
                "questions": questions,
                "started": time.time(),
            }
        )
    )
    env = {
        **os.environ,
        "TMPDIR": str(workdir),
        "JUPYTER_RUNTIME_DIR": str(workdir),
        "TF_NUM_INTRAOP_THREADS": str(threads),
        "TF_NUM_INTEROP_THREADS": "1",
        "OMP_NUM_THREADS": str(threads),
    }
    command = [sys.executable, "-I", "-m", "autograder.grading.child", str(request)]
    started = time.monotonic()
    try:
        with open(log, "w") as output:
            child = subprocess.Popen(
                command,
                cwd=private,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            stopped, peak = _watch(child, config, stop)
        result = _believed(child.returncode, stopped, result_path, path, config)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(sockets, ignore_errors=True)
    result.seconds = round(time.monotonic() - started, 1)  # wall time, the child's start included
    result.measurements["peak_memory_mb"] = round(peak / 2**20)
    return result


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
            if stop.wait(POLL_SECONDS):
                return (Status.INTERRUPTED, "grading was interrupted"), peak
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

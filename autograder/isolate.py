"""Grade one submission in its own process, within time and memory limits.

The child is `python -m autograder grade` in its own session and temporary directory;
this parent watches its whole process tree (the kernel included), stops it when the
wall-clock or memory limit is reached, and always removes its temporary files. Nothing
a submission does can stop, slow or change the grading of another.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from .grade import test_files, zero_result
from .report import read_grade, write_reports

POLL_SECONDS = 0.5


def grade_isolated(submission, out, config, threads, stop):
    """Grade `submission` into the folder `out`; returns its GradeResult.

    `stop` (a threading.Event) ends the grading early, e.g. on Ctrl-C.
    """
    out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="kit-submission-"))
    workdir.chmod(0o755)  # a kernel running as another user (sandbox.py) must reach its folder
    env = {
        **os.environ,
        "TMPDIR": str(workdir),
        "JUPYTER_RUNTIME_DIR": str(workdir),
        "TF_NUM_INTRAOP_THREADS": str(threads),
        "TF_NUM_INTEROP_THREADS": "1",
        "OMP_NUM_THREADS": str(threads),
    }
    command = [sys.executable, "-m", "autograder", "--config", str(config.path), "grade", str(submission.path),
               "--out", str(out), "--student", submission.name]
    (out / "grade.json").unlink(missing_ok=True)
    started = time.monotonic()
    try:
        with open(out / "grader.log", "w") as log:
            child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
            stopped, peak = _watch(child, config, stop)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    # The grader exits with 0 or 1; anything else (a kill by the student's code, say) is a crash,
    # whatever grade.json it left.
    if stopped or child.returncode not in (0, 1) or not (out / "grade.json").exists():
        status, reason = stopped or ("crashed", f"the grader crashed (exit code {child.returncode}); see grader.log")
        result = zero_result(str(submission.path), test_files(config), reason, status)
        result.seconds = round(time.monotonic() - started, 1)
        write_reports(result, out, config, submission.name)
    else:
        result = read_grade(out / "grade.json")
    result.measurements["peak_memory_mb"] = round(peak / 2**20)
    return result


def _watch(child, config, stop):
    """Wait for the child; returns (why it was stopped or None, peak memory in bytes)."""
    deadline = time.monotonic() + config.submission_timeout
    limit = config.memory_limit_mb * 2**20
    seen, peak = set(), 0  # every process of the tree, so that a kernel orphaned by a crash is found too
    try:
        while child.poll() is None:
            tree = _tree(child.pid)
            seen.update(tree)
            peak = max(peak, _rss(tree))
            if peak > limit:
                return ("out of memory", f"out of memory: it used more than {config.memory_limit_mb:g} MB"), peak
            if time.monotonic() > deadline:
                return ("timed out", f"timed out: grading took longer than {config.submission_timeout:g} s"), peak
            if stop.wait(POLL_SECONDS):
                return ("interrupted", "grading was interrupted"), peak
        return None, peak
    finally:  # Ctrl-C included: never leave a student's process running
        _kill(seen | set(_tree(child.pid)))


def _tree(pid):
    try:
        parent = psutil.Process(pid)
        return [parent] + parent.children(recursive=True)
    except psutil.Error:
        return []


def _rss(processes):
    total = 0
    for p in processes:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _kill(processes):
    for p in processes:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(processes, timeout=5)

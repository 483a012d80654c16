"""Grade a submission in a process of its own, within time and memory limits.

The child is the kit's own entry point (child.py, started with `python -I`) in its own
session and temporary directory; this parent watches its whole process tree (the kernel
included), stops it when the wall-clock or memory limit is reached, always removes its
temporary files, and alone writes the reports. Nothing a submission does can stop, slow
or change the grading of another: its code runs in its own kernel, and a child stopped at
a limit grades nothing more.

A child gets ready (imports, its kernel started and set up) before it is handed a
submission, so a class run starts the next children while the current ones grade (Spares),
hands each submission to the first child that is ready, and hands a child that graded the
next one, in a fresh kernel (its imports paid once). A submission's time and limits count
from the hand-over, and its wait for a ready child is recorded beside them.
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
import traceback
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

import psutil

from autograder.contract import ChildExit, ChildJob, ChildRequest, GradeResult, Status
from autograder.errors import ContractError, KitError
from autograder.folders import SubmissionFolder
from autograder.grading.child import GRADED
from autograder.grading.grade import planned_questions
from autograder.grading.sandbox import TMPFS_FOLDERS, kill
from autograder.reports.write import write_reports

POLL_SECONDS = 0.5
TAKE_POLL_SECONDS = 0.05
MAX_RESULT_BYTES = 64 * 2**20


def affordable_jobs(jobs, config, sandbox):
    """How many submissions this machine can grade at once, at worst (each one's memory limit and full
    tmpfs folders), and the line that says why if that is fewer than `jobs`; KitError if not even one."""
    need = sandbox.worst_case_mb(config)
    available = psutil.virtual_memory().available / 2**20
    fits = int(available // need)
    worst = f"{need:g} MB at worst (limits.memory_limit_mb and {TMPFS_FOLDERS} x limits.tmp_mb)"
    if fits < 1:
        raise KitError(
            f"one submission may hold {worst} and {available:.0f} MB are available: "
            "lower those limits in grading_config.yml"
        )
    if fits >= jobs:
        return jobs, None
    return (
        fits,
        f"grading {fits} at once, not {jobs}: each submission may hold {worst} and {available:.0f} MB are available",
    )


def grade_isolated(submission, out, config, stop, sandbox, questions=None, previous=None, child=None):
    """Grade `submission` (a collect.Submission) in `sandbox` and write its reports into the folder `out`.

    `stop` (a threading.Event) ends the grading early, e.g. on Ctrl-C. With `questions`, only
    they are graded again, into `previous` (the last GradeResult of the same file); if that
    grading fails, its failure is the result. `child` is a Child started ahead (Spares), else
    one starts now. Raises KitError when the kit itself cannot grade (the same would happen to
    every submission).
    """
    out.mkdir(parents=True, exist_ok=True)
    log = SubmissionFolder(out).log
    try:
        result = run_isolated(submission.path, log, config, stop, sandbox, questions, child)
    except KitError:
        raise
    except Exception as e:  # the kit's own fault, met by this submission: its record says so, the class goes on
        with open(log, "a") as f:
            traceback.print_exc(file=f)
        reason = f"the grader failed on this submission ({type(e).__name__}: {e}); see grader.log"
        result = GradeResult.without_results(str(submission.path), planned_questions(config), reason, Status.CRASHED)
    return record(result, previous, out, config, submission.name)


def record(result, previous, out, config, student):
    """The grading's reports in `out`: of `result`, or of `previous` with `result`'s questions in it."""
    if previous is not None and result.status is Status.GRADED:
        result = previous.regraded(result)
    write_reports(result, out, config, student)
    return result


def run_isolated(path, log, config, stop, sandbox, questions=None, child=None) -> GradeResult:
    """The grade of the submission file `path`, graded by `child` (one of Spares, left to them) or by a
    Child started now and stopped after, its output in `log`.

    `stop` is anything with threading.Event's `is_set()`, polled while the child grades: a Dask
    worker passes a cluster's event.
    """
    if child is not None:
        return child.grade(path, log, stop, questions)
    with Child(config, sandbox) as child:
        return child.grade(path, log, stop, questions, last=True)


class Child:
    """One grading child, started before its first submission is known.

    It gets ready on its own (imports, a kernel started and set up: child.py) while the
    parent has no submission for it yet; `grade` then hands it one and watches it until it
    signals the result written. It may then be handed another (`alive`) and gets ready for
    it meanwhile. Leaving the `with` stops it and removes its folders.
    """

    def __init__(self, config, sandbox):
        self.config = config
        self.workdir = Path(tempfile.mkdtemp(prefix="kit-submission-"))
        self.workdir.chmod(0o755)  # a kernel running as another user (sandbox.py) must reach its folder
        self.private = self.workdir / "grader"
        self.private.mkdir(mode=0o700)
        self.sockets = Path(tempfile.mkdtemp(prefix="kit-sockets-", dir="/tmp"))  # short, whatever TMPDIR is
        self.sockets.chmod(0o755)
        self.sandbox = replace(sandbox, sockets=str(self.sockets))
        request, self.kit_error, self.log = (self.private / name for name in ("request.json", "kit-error", "log"))
        self.signals, signals = os.pipe()  # child.READY and child.GRADED come on it; its end means the child is gone
        self.graded, self.logged, self.waited = 0, 0, None  # submissions graded, log bytes copied, seconds waited
        request.write_text(
            ChildRequest(config.to_dict(), self.sandbox.to_dict(), str(self.kit_error), time.time(), signals).to_json()
        )
        env = {
            **os.environ,
            "TMPDIR": str(self.workdir),
            "JUPYTER_RUNTIME_DIR": str(self.workdir),
            "TF_NUM_INTRAOP_THREADS": str(config.threads),
            "TF_NUM_INTEROP_THREADS": "1",
            "OMP_NUM_THREADS": str(config.threads),
        }
        command = [sys.executable, "-I", "-m", "autograder.grading.child", str(request)]
        with open(self.log, "w") as output:
            self.process = subprocess.Popen(
                command,
                cwd=self.private,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.PIPE,
                start_new_session=True,
                pass_fds=(signals,),
            )
        os.close(signals)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:  # waiting for a submission, or the grading was cut short
            kill(_tree(self.process.pid))
        self.process.wait()
        with suppress(OSError):  # a submission it never read
            self.process.stdin.close()
        os.close(self.signals)
        self._remove_folders()

    def _remove_folders(self):
        """Every process of the student's ended, then every folder of this child's removed; why not, if not."""
        self.sandbox.kill_leftovers()
        return [why for folder in (self.workdir, self.sockets) if (why := self.sandbox.remove(folder))]

    @property
    def alive(self):
        return self.process.poll() is None

    def grade(self, path, log, stop, questions=None, last=False) -> GradeResult:
        """Hand the child the submission file `path` (the `last` it gets) and watch it grade; its output
        since its last grading is copied to `log`."""
        path = Path(path).absolute()
        self.graded += 1
        result_path = self.private / f"result-{self.graded}.json"
        started = time.monotonic()
        try:
            job = ChildJob(str(path), str(result_path), time.time(), questions)
            self.process.stdin.write(job.to_line())
            self.process.stdin.flush()
            if last:
                self.process.stdin.close()
        except OSError:  # it died getting ready: its exit code and kit error file say why
            pass
        stopped, graded, peak, full = _watch(self.process, self.signals, self.config, stop)
        result = _believed(self.process, stopped, graded, result_path, self.kit_error, path, self.config)
        if not last and self.alive:
            with suppress(OSError):
                self.process.stdin.write(b"\n")  # the go-ahead: get ready for the next submission
                self.process.stdin.flush()
        self._copy_log(log)
        if not self.alive:  # stopped or crashed: what its kernels left goes now, before the next grading
            left_behind = [result.measurements.get("left_behind"), *self._remove_folders()]
            if any(left_behind):
                result.measurements["left_behind"] = "; ".join(filter(None, left_behind))
        result.seconds = round(time.monotonic() - started, 1)  # wall time from the hand-over
        result.measurements["peak_memory_mb"] = round(peak / 2**20)
        if full:
            result.measurements["full"] = (
                f"A folder held in memory (HOME, /tmp, /var/tmp, /dev/shm) was full: each holds at most "
                f"{self.config.tmp_mb:g} MB (limits.tmp_mb); writing past it failed (No space left on device)."
            )
        if self.waited is not None:
            result.measurements["waited_for_a_ready_child"] = self.waited
        return result

    def _copy_log(self, log):
        with open(self.log, "rb") as output, open(log, "wb") as copy:
            output.seek(self.logged)
            shutil.copyfileobj(output, copy)
            self.logged = output.tell()


class Spares:
    """Children started ahead, so that a submission finds one ready and the next one warms while it runs.

    A submission goes to the first child to be ready, and a child that graded one comes back
    (`give_back`) to get ready for the next: `ahead` children wait or get ready besides those
    grading, never more than there are submissions left to hand over. At the start of a run
    no more than `ahead` get ready at once (sharing the cores, they would all be ready late);
    none is handed a submission while it still gets ready, unless that takes longer than a
    whole submission may (then its grading's limits stop it, as any). Thread-safe.
    """

    def __init__(self, config, sandbox, ahead, total):
        self._start, self._ahead, self._left = functools.partial(Child, config, sandbox), ahead, total
        self._patience = config.submission_timeout_seconds
        self._waiting, self._lock = [], threading.Lock()

    def __enter__(self):
        with self._lock:
            self._top_up()
        return self

    def __exit__(self, *exc):
        with self._lock:
            for child in self._waiting:
                child.__exit__()
            self._waiting, self._left = [], 0

    def take(self, stop):
        """The first waiting child to be ready (a new one if none is waiting), to grade with and give
        back. Returns early, with a child maybe not ready, once `stop` (a threading.Event) is set."""
        asked = time.monotonic()
        while (child := self._claim(stop.is_set() or time.monotonic() > asked + self._patience)) is None:
            time.sleep(TAKE_POLL_SECONDS)  # the lock free meanwhile: a child given back joins the waiting ones
        child.waited = round(time.monotonic() - asked, 2)
        return child

    def give_back(self, child):
        """A child that graded: it waits for the next submission if it can grade one and one is left."""
        with self._lock:
            if child.alive and len(self._waiting) < self._left:
                self._waiting.append(child)
                return
        child.__exit__()

    def _claim(self, anyway):
        """A waiting child that is ready (`anyway`: the first waiting one), out of the pool; else None."""
        with self._lock:
            if not self._waiting:
                self._waiting.append(self._start())
            ready = select.select([c.signals for c in self._waiting], [], [], 0)[0]
            child = next((c for c in self._waiting if c.signals in ready), self._waiting[0] if anyway else None)
            if child is not None:
                self._waiting.remove(child)
                self._left -= 1
                self._top_up()
            return child

    def _top_up(self):
        while len(self._waiting) < min(self._ahead, self._left):
            self._waiting.append(self._start())


def _believed(process, stopped, graded, result_path, kit_error, path, config):
    """The child's result if it signalled it graded and left a well-formed one; else a zero record and why.

    A child that leaves a malformed result, or exits without one, is stopped: it grades nothing more.
    """
    if stopped:
        status, reason = stopped
        return GradeResult.without_results(str(path), planned_questions(config), reason, status)
    if graded:
        with suppress(ContractError, AttributeError, TypeError):
            return GradeResult.from_dict(_read_result(result_path))
        kill(_tree(process.pid))
    code = process.wait()
    data = _read_result(kit_error) if code == ChildExit.KIT_ERROR else None
    if isinstance(data, dict) and "kit_error" in data:
        raise KitError(data["kit_error"])
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


def _watch(child, signals, config, stop):
    """Wait until the child signals it graded, or is gone: returns ((status, reason) if it was stopped,
    else None; whether it graded; peak memory in bytes; whether a folder in memory was ever full).
    Every process of its tree seen meanwhile is ended here, its own too unless it graded."""
    deadline = time.monotonic() + config.submission_timeout_seconds
    limit = config.memory_limit_mb * 2**20
    seen, peak, stopped, graded, full = set(), 0, None, False, False  # seen: a kernel orphaned by a crash too
    try:
        while not stopped:
            tree = _tree(child.pid)
            seen.update(tree)
            memory, filled = _memory(tree)
            peak, full = max(peak, memory), full or filled
            stopped = _limit_reached(peak, limit, deadline, stop, config)
            if not stopped and select.select([signals], [], [], POLL_SECONDS)[0]:  # at once when it signals or ends
                signal = os.read(signals, 1)  # READY, left unread when it was handed the submission, is passed over
                if signal in (GRADED, b""):  # b"": the pipe's end, the child is gone
                    graded = signal == GRADED
                    break
    finally:  # Ctrl-C included: never leave a student's process running; a child that graded waits for the next
        kill([p for p in seen | set(_tree(child.pid)) if not graded or p.pid != child.pid])
    return stopped, graded, peak, full


def _limit_reached(peak, limit, deadline, stop, config):
    if peak > limit:
        why = f"out of memory: it used more than {config.memory_limit_mb:g} MB (processes and files in memory together)"
        return Status.OUT_OF_MEMORY, why
    if time.monotonic() > deadline:
        return Status.TIMED_OUT, f"timed out: grading took longer than {config.submission_timeout_seconds:g} s"
    if stop.is_set():
        return Status.INTERRUPTED, "grading was interrupted"
    return None


def _tree(pid):
    try:
        parent = psutil.Process(pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return []


def _memory(processes):
    """Memory the tree holds: proportional set sizes (pages forked processes share count once) and the
    files in the sandbox's folders held in memory; and whether one of those folders is full."""
    total, full = _in_memory_folders(processes)
    for p in processes:
        try:
            total += p.memory_full_info().pss
        except psutil.AccessDenied:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total, full


def _in_memory_folders(processes):
    """Bytes in the tmpfs folders of the processes in another mount namespace than ours (the sandbox's
    HOME, /tmp, ...; any a student mounted in a namespace of their own too), each folder counted once;
    and whether one of them is full."""
    ours, used, full = os.readlink("/proc/self/ns/mnt"), {}, False
    for p in processes:
        try:
            if os.readlink(f"/proc/{p.pid}/ns/mnt") == ours:
                continue
            with open(f"/proc/{p.pid}/mountinfo") as f:
                mounts = [line.split() for line in f]
        except OSError:
            continue
        for fields in mounts:
            if fields[fields.index("-") + 1] != "tmpfs":
                continue
            path = f"/proc/{p.pid}/root" + fields[4].encode().decode("unicode_escape")  # "\040": a space
            with suppress(OSError):
                device, space = os.stat(path).st_dev, os.statvfs(path)
                used[device] = (space.f_blocks - space.f_bfree) * space.f_frsize
                full = full or (space.f_blocks > 0 and space.f_bavail == 0)
    return sum(used.values()), full

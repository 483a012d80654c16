"""Grade a class on a Dask cluster: each submission one task, graded as a local `-j` run grades it.

A worker needs only the installed kit, the same version in its pinned environment. The
assignment's files (its settings, the student notebook, the hidden tests, its module and
its data) reach every
worker, present and future, once, as a worker plugin that writes them into the worker's own
folder: no file system is shared. A task carries one submission's bytes, grades them with
isolate.run_isolated (the child process, the sandbox, the limits) in a temporary folder of
the worker, and returns the GradeResult and the grader's log; the client writes the reports
with isolate.record, the function a local run uses, so the two cannot differ in what they write.

When the worker grading a submission dies, Dask's scheduler grades it again on another, up
to `worker_retries` times; then it is crashed. When the scheduler goes away, the run stops
with ClusterError: the rows written so far stay, and the same command resumes.
"""

import hashlib
import importlib.metadata
import itertools
import logging
import math
import shutil
import tempfile
import threading
import uuid
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

from distributed import Client, Event, WorkerPlugin, as_completed, get_worker
from distributed.client import FutureCancelledError
from distributed.comm.core import CommClosedError
from distributed.scheduler import KilledWorker

from autograder import PACKAGE, hooks, package_files
from autograder.classroom.gradebook import Row
from autograder.config import Config
from autograder.contract import GradeResult, Status
from autograder.errors import BuildMissingError, ClusterError, KitError
from autograder.folders import ClassFolder, SubmissionFolder
from autograder.grading.grade import planned_questions
from autograder.grading.isolate import Spares, record, run_isolated
from autograder.grading.sandbox import Sandbox

# The installed packages besides the kit whose version can change a grade.
GRADING_PACKAGES = ("tensorflow", "keras", "numpy", "otter-grader", "nbclient", "ipykernel")


class Cluster:
    """A connection to a Dask scheduler, whose workers grade this run's submissions."""

    def __init__(self, address, config, trusted=False):
        self.address = address
        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as e:
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {e}") from None
        try:
            self.client.run_on_scheduler(_allow_failures, retries=config.worker_retries)
            self.assignment = Assignment(config, trusted)
            self.client.register_plugin(self.assignment, name=self.assignment.name)
            self.stop = Event(f"kit-stop-{uuid.uuid4().hex}", client=self.client)
        except BaseException:  # no build, no data: nothing was sent, and nothing stays connected
            self.client.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.client.status == "running":
            self.stop.set()  # the tasks still running stop their gradings
            with suppress(Exception):  # a worker gone meanwhile has no children left to stop
                self.client.run(_stop_spares, self.assignment.name)
        else:  # the scheduler is gone, and its tasks with it: Dask's attempts to reconnect only print tracebacks
            logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
        self.client.close()

    def workers(self):
        """How many workers, and threads (submissions at once) between them, the cluster has now."""
        threads = self.client.nthreads()
        return len(threads), sum(threads.values())

    def graded(self, todo, out, config):
        """Gradebook rows as the workers finish them; twice the cluster's threads in flight, so that
        a class's files are read as they are needed, not all at once."""
        waiting, running, jobs = iter(todo), as_completed(loop=self.client.loop), {}

        def send():
            """Tasks for the next submissions, up to twice the threads the cluster has now."""
            wanted = max(2, 2 * self.workers()[1]) - len(jobs)
            for job in itertools.islice(waiting, max(0, wanted)):
                future = self.client.submit(
                    grade_on_worker,
                    self.assignment.name,
                    Path(job.submission.path).name,
                    Path(job.submission.path).read_bytes(),
                    job.questions,
                    self.stop.name,
                    key=f"grade {job.submission.student} {uuid.uuid4().hex[:8]}",
                    pure=False,
                )
                jobs[future] = job
                running.add(future)

        try:
            send()
            for future in running:
                yield self._row(jobs.pop(future), future, out, config)
                send()
        except (FutureCancelledError, CommClosedError) as e:  # in a task's result, or in asking the scheduler
            raise ClusterError(
                f"lost the Dask scheduler at {self.address} ({getattr(e, 'reason', None) or e}): the rows "
                "graded so far are kept; run the same command again, with a scheduler, to grade the rest"
            ) from None
        finally:
            self.client.cancel(list(jobs))

    def _row(self, job, future, out, config):
        """The finished task's gradebook row, its reports written into the submission's folder."""
        path = str(Path(job.submission.path).absolute())
        try:
            data, log = future.result()
            result = replace(GradeResult.from_dict(data), submission=path)
        except KilledWorker as e:
            deaths = e.allowed_failures + 1
            reason = (
                f"crashed: the Dask worker grading it died, {deaths} time{'s' if deaths > 1 else ''} "
                f"(limits: worker_retries {e.allowed_failures}); the last was {e.last_worker.address}"
            )
            result = GradeResult.without_results(path, planned_questions(config), reason, Status.CRASHED)
            log = f"{reason}\n".encode()
        folder = ClassFolder(out).student(job.submission.student)
        folder.path.mkdir(parents=True, exist_ok=True)
        folder.log.write_bytes(log)
        return Row.of(
            job.submission,
            record(result, job.previous, folder.path, config, job.submission.name),
            job.sha256,
            config.measured,
        )


def _allow_failures(dask_scheduler, retries):
    """On the scheduler: a task whose worker dies is run again at most `retries` times."""
    dask_scheduler.allowed_failures = retries


def grade_on_worker(assignment, file_name, data, questions, stop):
    """A task: one submission, written into a temporary folder of the worker and graded there."""
    worker = get_worker()
    here = worker.plugins[assignment]
    if here.problem:
        raise KitError(f"the Dask worker {worker.address} cannot grade: {here.problem}")
    folder = Path(tempfile.mkdtemp(prefix="kit-task-", dir=worker.local_directory))
    stop, spares = Event(stop), here.spares(worker)
    child = spares.take(stop)
    try:
        path = folder / Path(file_name).name
        path.write_bytes(data)
        log = SubmissionFolder(folder).log
        result = run_isolated(path, log, here.config, stop, here.sandbox, questions, child)
        return result.to_dict(), log.read_bytes()
    finally:
        spares.give_back(child)
        shutil.rmtree(folder, ignore_errors=True)


def _stop_spares(assignment, dask_worker):
    """On each worker, at the end of a run: the children waiting for its next submission are stopped."""
    plugin = dask_worker.plugins.get(assignment)
    if plugin is not None:
        plugin.stop_spares()


class Assignment(WorkerPlugin):
    """The assignment's files, written once into each worker's own folder, and the worker's sandbox;
    during a run, grading children started ahead (isolate.Spares, one per worker thread), so that a
    task finds one ready, as a local run's submissions do."""

    def __init__(self, config, trusted):
        layout = config.files
        if not layout.tests.is_dir():
            raise BuildMissingError.for_path(layout.tests)
        config = hooks.with_data(config)
        self.files = {str(p.relative_to(config.root)): p.read_bytes() for p in layout.for_grading()}
        self.files |= {f"data/{name}/{Path(path).name}": Path(path).read_bytes() for name, path in config.data.items()}
        self.settings = config.to_dict()
        self.kit, self.trusted = kit_version(), trusted
        digest = hashlib.sha256(
            repr((sorted(self.files.items()), self.settings, self.kit, trusted)).encode()
        ).hexdigest()
        self.name = f"kit-assignment-{digest[:16]}"

    def setup(self, worker):
        root = Path(worker.local_directory) / self.name
        if not root.is_dir():
            _write_tree(root, self.files)
        self.files = None  # written: the worker need not hold them too
        data = {name: str(root / "data" / name / Path(path).name) for name, path in self.settings["data"].items()}
        self.config = Config.from_dict({**self.settings, "root": str(root), "data": data})
        self.sandbox, self.problem = None, None
        self._spares, self._lock = None, threading.Lock()
        if kit_version() != self.kit:
            self.problem = "it runs another version of the kit, or of its packages, than the client"
            return
        try:
            self.sandbox = Sandbox.choose(self.trusted)
        except KitError as e:
            self.problem = str(e)

    def spares(self, worker):
        """The worker's children started ahead, from its first task of the run on."""
        with self._lock:
            if self._spares is None:
                self._spares = Spares(self.config, self.sandbox, worker.state.nthreads, math.inf).__enter__()
            return self._spares

    def stop_spares(self):
        with self._lock:
            spares, self._spares = self._spares, None
        if spares is not None:
            spares.__exit__()

    def teardown(self, worker):
        self.stop_spares()


def _write_tree(root, files):
    """The files under a new folder `root`, complete or not at all."""
    staging = Path(tempfile.mkdtemp(prefix=".kit-assignment-", dir=root.parent))
    for relative, data in files.items():
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        (staging / relative).write_bytes(data)
    try:
        staging.rename(root)
    except OSError:  # another task's setup got there first
        shutil.rmtree(staging, ignore_errors=True)


def kit_version():
    """A digest of the kit's own files and of the versions of the packages that grade with it."""
    digest = hashlib.sha256()
    for path in package_files():
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    for name in GRADING_PACKAGES:
        with suppress(importlib.metadata.PackageNotFoundError):  # an extra not installed (keras)
            digest.update(f"{name}=={importlib.metadata.version(name)}".encode())
    return digest.hexdigest()

"""A class graded on a real Dask cluster: a `dask scheduler` and two `dask worker`s on 127.0.0.1,
started as an instructor starts them. The cluster's gradebook is the local one, field by field;
a worker killed mid-grading costs a regrade elsewhere, or, past `worker_retries`, a crashed
row; a scheduler lost mid-run stops the run cleanly, and the same command resumes it."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from distributed import Client

from autograder import ROOT
from tests.conftest import SESSION_ENV

pytestmark = pytest.mark.slow

DASK = Path(sys.executable).parent / "dask"
# From catalogue.CLASS (graded locally by the class run): trained, partial, blank and two failures.
CLASS = ["alice.ipynb", "bob.ipynb", "carol.ipynb", "niaj.ipynb", "olivia.ipynb"]
DIFFERS = {"file", "seconds"}  # where the files are, and how long their grading took


class DaskCluster:
    """A scheduler and `workers` workers (one process, one thread each), as the README starts them."""

    def __init__(self, folder, workers=2):
        self.folder, self.env = folder, {**SESSION_ENV, "TMPDIR": str(folder / "tmp")}
        (folder / "tmp").mkdir(parents=True, exist_ok=True)
        address_file = folder / "scheduler.json"
        address_file.unlink(missing_ok=True)
        self.scheduler = self._start(
            "scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", address_file
        )
        while not address_file.is_file() or not address_file.read_text():
            time.sleep(0.1)
        self.address = json.loads(address_file.read_text())["address"]
        self.workers = [
            self._start("worker", self.address, "--nworkers", "1", "--nthreads", "1", "--name", f"w{i}")
            for i in range(workers)
        ]
        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=120)

    def _start(self, *args):
        log = open(self.folder / f"{args[0]}-{time.monotonic_ns()}.log", "w")
        return subprocess.Popen(
            [DASK, *map(str, args), "--no-dashboard"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            start_new_session=True,
        )

    def close(self):
        for process in [*self.workers, self.scheduler]:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def kill_worker_when_grading(nanny, timeout=300):
    """SIGKILL the worker process under `nanny` once it runs a grading child; whether it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in psutil.Process(nanny.pid).children(recursive=True):
            try:
                if "autograder.grading.child" in " ".join(process.cmdline()):
                    process.parent().kill()
                    return True
            except psutil.Error:
                continue
        time.sleep(0.05)
    return False


def grade(folder, out, address, config, *more):
    command = [sys.executable, "-m", "autograder", "--config", config, "grade", folder, "--out", out]
    return subprocess.Popen(
        [*map(str, command), "--scheduler", address, *more],
        cwd=ROOT,
        env=SESSION_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def rows(out):
    with open(out / "gradebook.csv", newline="") as f:
        return {row["student"]: {k: v for k, v in row.items() if k not in DIFFERS} for row in csv.DictReader(f)}


def class_of(names, class_run, folder):
    folder.mkdir()
    for name in names:
        shutil.copy(class_run["paths"][0] / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = DaskCluster(tmp_path_factory.mktemp("dask"))
    yield cluster
    cluster.close()


def test_a_class_on_the_cluster_is_graded_as_here_a_killed_worker_costing_a_regrade(
    cluster, class_run, lenient_config, tmp_path
):
    local = rows(class_run["out"])
    run = grade(class_of(CLASS, class_run, tmp_path / "class"), tmp_path / "out", cluster.address, lenient_config)
    killed = kill_worker_when_grading(cluster.workers[0])
    stdout, stderr = run.communicate(timeout=900)
    assert run.returncode == 0, stdout + stderr
    assert killed
    on_cluster = rows(tmp_path / "out")
    assert on_cluster == {Path(name).stem: local[Path(name).stem] for name in CLASS}
    assert "graded now: 5 new" in stdout
    leftovers = [p for p in psutil.process_iter(["cmdline"]) if str(cluster.folder / "tmp") in str(p.info["cmdline"])]
    assert not leftovers  # the killed worker's grading died with it, its kernel too
    again = grade(
        tmp_path / "class",
        tmp_path / "out",
        cluster.address,
        lenient_config,
        "--regrade",
        "bob",
        "--questions",
        "activations",
    )
    stdout, stderr = again.communicate(timeout=600)
    assert "graded now: 1 regrade of activations" in stdout, stdout + stderr
    assert rows(tmp_path / "out") == on_cluster


def test_a_submission_whose_workers_keep_dying_is_crashed_with_the_reason(cluster, class_run, lenient_config, tmp_path):
    config = tmp_path / "no_retries.yml"
    config.write_text(lenient_config.read_text().replace("worker_retries: 2", "worker_retries: 0"))
    run = grade(class_of(["carol.ipynb"], class_run, tmp_path / "class"), tmp_path / "out", cluster.address, config)
    # either worker may get it: kill whichever grades it
    killers = [threading.Thread(target=kill_worker_when_grading, args=(w, 120)) for w in cluster.workers]
    for killer in killers:
        killer.start()
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stdout + stderr
    carol = rows(tmp_path / "out")["carol"]
    assert carol["status"] == "crashed" and carol["total"] == "0.0", carol
    assert "the Dask worker grading it died, 1 time (limits: worker_retries 0)" in carol["error"], carol
    feedback = (tmp_path / "out" / "students" / "carol" / "feedback.html").read_text()
    assert "Dask worker grading it died" in feedback


def test_a_lost_scheduler_stops_the_run_and_the_same_command_resumes_it(cluster, class_run, lenient_config, tmp_path):
    names = ["bob.ipynb", "carol.ipynb", "niaj.ipynb", "olivia.ipynb"]
    folder, out = class_of(names, class_run, tmp_path / "class"), tmp_path / "out"
    run = grade(folder, out, cluster.address, lenient_config)
    while run.poll() is None and len(_written(out)) < 1:
        time.sleep(0.1)
    cluster.scheduler.kill()
    stdout, stderr = run.communicate(timeout=120)
    kept = _written(out)
    assert run.returncode == 2 and "error: lost the Dask scheduler" in stderr, stdout + stderr
    assert 1 <= len(kept) < len(names)
    again = DaskCluster(tmp_path / "dask", workers=1)
    try:
        rerun = grade(folder, out, again.address, lenient_config)
        stdout, stderr = rerun.communicate(timeout=600)
    finally:
        again.close()
    assert rerun.returncode == 0, stdout + stderr
    assert f"graded now: {len(names) - len(kept)} new" in stdout
    local = rows(class_run["out"])
    assert rows(out) == {Path(name).stem: local[Path(name).stem] for name in names}


def _written(out):
    try:
        return rows(out)
    except (OSError, csv.Error):
        return {}

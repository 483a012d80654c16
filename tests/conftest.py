"""Shared fixtures: the config, and the assignment built for grading."""

import csv
import hashlib
import os
import shutil
import socket
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

import pytest
import yaml

from autograder import ROOT
from autograder.assign.build import build_one
from autograder.assign.gradescope_zip import write_zip
from autograder.config import load_config, read_course
from autograder.grading.sandbox import Sandbox

SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist.npz"
if "MNIST_PATH" not in os.environ and SHARED_MNIST.is_file():
    os.environ["MNIST_PATH"] = str(SHARED_MNIST)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The background runs' environment, taken now: tests that change os.environ meanwhile
# (monkeypatch.delenv("MNIST_PATH"), say) must not reach a run going on beside them.
SESSION_ENV = dict(os.environ)


@pytest.fixture(scope="session")
def config():
    """The primer's settings, as the shipped grading_config.yml gives them."""
    return load_config(assignment="deep_learning_primer")


@pytest.fixture(scope="session")
def sandbox():
    """The sandbox every grading in the suite uses: the real one (bwrap), never --trusted."""
    return Sandbox.choose()


@pytest.fixture(scope="session")
def built(config, tmp_path_factory):
    """The committed student notebook, with dist/ (tests, zips) built from the solutions.

    The student notebook is built into a temporary folder, never over the committed one,
    so that tests/assign can tell when the committed notebook is stale.
    """
    build_one(config, tmp_path_factory.mktemp("students"), ROOT)
    write_zip(config)
    return config.files.student


@pytest.fixture(scope="session")
def spiral(tmp_path_factory):
    """The second assignment's settings, its tests built into dist/ (its committed student notebook is read)."""
    config = load_config(assignment="backprop_spiral")
    build_one(config, tmp_path_factory.mktemp("spiral-students"), ROOT)
    return config


# The lenient config of the class run: quick training passes, and stuck submissions stop soon.
LENIENT_LIMITS = {
    "cell_timeout_seconds": 20,
    "submission_timeout_seconds": 150,  # a busy machine: 90 s timed quick ones out
    "memory_limit_mb": 4000,
}


def lenient_course():
    """The shipped config's content, made lenient (the values above, and the primer's accuracy target 0.3)."""
    _, data = read_course()
    data["limits"].update(LENIENT_LIMITS)
    data["assignments"]["deep_learning_primer"]["measured"]["test_accuracy"].update(target=0.3, floor=0.3)
    return data


@pytest.fixture(scope="session")
def lenient_config(tmp_path_factory):
    path = tmp_path_factory.mktemp("config") / "grading_config.yml"
    path.write_text(yaml.safe_dump(lenient_course(), sort_keys=False))
    return path


RUNS = ("class_run", "strict_run", "attack_run")  # graded in the background, in this order


def pytest_collection_modifyitems(config, items):
    """The class-sized runs go in the background (see below); their tests go last, in the runs' order."""
    items.sort(key=lambda item: next((i + 1 for i, run in enumerate(RUNS) if run in item.fixturenames), 0))


def _needed(request, fixture):
    return any(fixture in item.fixturenames for item in request.session.items)


@pytest.fixture(scope="session", autouse=True)
def background(request, tmp_path_factory, built, spiral, config, lenient_config):
    """The class run, the strict run and the attack run, one after the other in a thread, started at
    once when a selected test needs them, so that they overlap the other tests (each uses -j 2).
    Every assignment is built first (`built`, `spiral`): the runs check that nothing changes the kit."""
    runs, pool = {}, ThreadPoolExecutor(1)
    if _needed(request, "class_run"):
        runs["class"] = pool.submit(_class_run, tmp_path_factory.mktemp("class"), built, lenient_config)
    if _needed(request, "strict_run"):
        runs["strict"] = pool.submit(_strict_run, tmp_path_factory.mktemp("strict"), built, config)
    if _needed(request, "attack_run") and os.geteuid() == 0:
        runs["attack"] = pool.submit(_attack_run, built, lenient_config)
    yield runs
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def class_run(background):
    """catalogue.CLASS with a Canvas and a Gradescope download, graded by one command (-j 2, lenient)."""
    return background["class"].result()


@pytest.fixture(scope="session")
def strict_run(background):
    """catalogue.STRICT graded in this process with the shipped config (-j 2): out folder and rows."""
    return background["strict"].result()


@pytest.fixture(scope="session")
def attack_run(background):
    """tests/attacks.py graded as an ordinary user (made for the test; needs root) with the lenient config."""
    if "attack" not in background:
        pytest.skip("the attack run creates a user: it needs root (CI runs as root)")
    return background["attack"].result()


def _class_run(root, built, lenient_config):
    from tests.catalogue import CLASS, write
    from tests.classroom.test_collect import GRADESCOPE_METADATA
    from tests.helpers import kit_fingerprint, own_temp, run_cli

    folder = write(root / "folder", built, CLASS)
    with zipfile.ZipFile(root / "canvas.zip", "w") as z:
        z.writestr("lovelaceada_4711_998877_deep_learning_primer.ipynb", built.read_text())
        z.writestr("turingalan_LATE_4712_998878_deep_learning_primer.ipynb", "not a notebook")
    with zipfile.ZipFile(root / "gradescope.zip", "w") as z:
        z.writestr("assignment_5_export/submission_metadata.yml", GRADESCOPE_METADATA)
        z.writestr("assignment_5_export/submission_101/deep_learning_primer.ipynb", built.read_text())
        z.writestr("assignment_5_export/submission_102/deep_learning_primer.ipynb", "")
    before = kit_fingerprint()
    temp, env = own_temp(root, SESSION_ENV)
    paths = [folder, root / "canvas.zip", root / "gradescope.zip"]
    run = run_cli(
        "--config",
        lenient_config,
        "grade",
        *paths,
        "--out",
        root / "out",
        "-j",
        "2",
        "--canvas-csv",
        env=env,
        timeout=1800,
    )
    return {"run": run, "out": root / "out", "temp": temp, "kit_before": before, "paths": paths}


def _strict_run(root, built, config):
    from tests.catalogue import STRICT, write
    from tests.helpers import run_cli

    run = run_cli("grade", write(root / "in", built, STRICT), "--out", root / "out", "-j", "2", env=SESSION_ENV)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    with open(root / "out" / "gradebook.csv", newline="") as f:
        return root / "out", {row["student"]: row for row in csv.DictReader(f)}


def _attack_run(built, lenient_config):
    from tests.attacks import write_corpus
    from tests.ordinary_user import as_user, ensure_user, install_kit, user_processes

    account, home = ensure_user()
    kit = install_kit(home, SESSION_ENV["MNIST_PATH"])
    out, corpus, config = home / "out", home / "corpus", home / "grading_config.yml"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(corpus, ignore_errors=True)
    (home / "secret.txt").write_text("KIT-SECRET-FILE")
    config.write_text(lenient_config.read_text())
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.5)
        paths = {
            "KIT": str(kit),
            "HOME": str(home),
            "OUT": str(out),
            "CORPUS": str(corpus),
            "MNIST": str(home / "mnist.npz"),
        }
        write_corpus(corpus, built, {**paths, "PORT": listener.getsockname()[1]})
        for path in [home / "secret.txt", config, corpus, *corpus.iterdir()]:
            os.chown(path, account.pw_uid, account.pw_gid)
        before = _fingerprints(home, kit)
        scratch_before = _owned_in_scratch(account.pw_uid)
        connections = []
        accepting = threading.Thread(target=_accept, args=(listener, connections, threading.Event()), daemon=True)
        accepting.start()
        started = time.monotonic()
        run = as_user(
            f".venv/bin/python -m autograder --config {config} grade {corpus} --out {out} -j 2",
            kit,
            timeout=1800,
            env={"MNIST_PATH": str(home / "mnist.npz"), "KIT_SECRET": "KIT-SECRET-ENV", "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        seconds = time.monotonic() - started
        survivors = user_processes(account.pw_uid)
        left_on_the_host = _owned_in_scratch(account.pw_uid) - scratch_before
    with open(out / "gradebook.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    return {
        "run": run,
        "rows": rows,
        "out": out,
        "home": home,
        "kit": kit,
        "before": before,
        "after": _fingerprints(home, kit),
        "connections": connections,
        "survivors": survivors,
        "left_on_the_host": left_on_the_host,
        "seconds": seconds,
    }


def _accept(listener, connections, never):
    while not never.is_set():
        try:
            connections.append(listener.accept()[1])
        except TimeoutError:
            continue
        except OSError:
            return


def _owned_in_scratch(uid):
    """What `uid` has in the machine's scratch folders (a grading must leave nothing there)."""
    owned = set()
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        for path in Path(folder).iterdir():
            with suppress(FileNotFoundError):  # another program's file, gone meanwhile
                if path.lstat().st_uid == uid:
                    owned.add(str(path))
    return owned


def _fingerprints(home, kit):
    """sha256 of the files an attack would change: the kit (its own bytecode aside), its kernel spec, MNIST."""
    files = [home / "mnist.npz", *sorted((kit / "autograder").rglob("*.py")), *sorted((kit / "dist").rglob("*.py"))]
    files += [kit / ".venv/share/jupyter/kernels/python3/kernel.json", kit / "grading_config.yml"]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}

"""Shared fixtures: the config, and the assignment built for grading."""

import csv
import os
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from autograder import ROOT
from autograder.build.assign import build_one, master_path, student_path
from autograder.build.gradescope_zip import write_zip
from autograder.config import load_config
from autograder.grading.sandbox import Sandbox

SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist.npz"
if "MNIST_PATH" not in os.environ and SHARED_MNIST.is_file():
    os.environ["MNIST_PATH"] = str(SHARED_MNIST)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def sandbox():
    """The sandbox every grading in the suite uses: the real one (bwrap), never --trusted."""
    return Sandbox.choose()


@pytest.fixture(scope="session")
def built(config, tmp_path_factory):
    """The committed student notebook, with dist/ (tests, zips) built from the solutions.

    The student notebook is built into a temporary folder, never over the committed one,
    so that tests/build can tell when the committed notebook is stale.
    """
    build_one(master_path(config.assignment), config, tmp_path_factory.mktemp("students"), ROOT)
    write_zip(config)
    return student_path(config.assignment)


# The lenient config of the class run: quick training passes, and stuck submissions stop soon.
LENIENT = {
    "min_test_accuracy: 0.98": "min_test_accuracy: 0.5",
    "cell_timeout_seconds: 600": "cell_timeout_seconds: 20",
    "submission_timeout_seconds: 1800": "submission_timeout_seconds: 90",
    "memory_limit_mb: 6000": "memory_limit_mb: 4000",
}


@pytest.fixture(scope="session")
def lenient_config(tmp_path_factory, config):
    text = config.path.read_text()
    for old, new in LENIENT.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path_factory.mktemp("config") / "grading_config.yml"
    path.write_text(text)
    return path


def pytest_collection_modifyitems(config, items):
    """The two class-sized runs go in the background (see below); their tests go last."""
    items.sort(key=lambda item: 2 if "strict_run" in item.fixturenames else int("class_run" in item.fixturenames))


def _needed(request, fixture):
    return any(fixture in item.fixturenames for item in request.session.items)


@pytest.fixture(scope="session", autouse=True)
def background(request, tmp_path_factory, built, config, lenient_config):
    """The class run, then the strict run, one after the other in a thread, started at once when a
    selected test needs them, so that they overlap the other tests. Never at the same time: each
    run's tamper guard would take the other's changes to the kit for its own."""
    runs, pool = {}, ThreadPoolExecutor(1)
    if _needed(request, "class_run"):
        runs["class"] = pool.submit(_class_run, tmp_path_factory.mktemp("class"), built, lenient_config)
    if _needed(request, "strict_run"):
        runs["strict"] = pool.submit(_strict_run, tmp_path_factory.mktemp("strict"), built, config)
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
    temp, env = own_temp(root)
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
    from autograder.classroom.bulk import grade_all
    from tests.catalogue import STRICT, write

    grade_all([write(root / "in", built, STRICT)], root / "out", config, 2, Sandbox.choose())
    with open(root / "out" / "gradebook.csv", newline="") as f:
        return root / "out", {row["student"]: row for row in csv.DictReader(f)}

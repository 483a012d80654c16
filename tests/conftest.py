"""Shared fixtures: the config, and the assignment built for grading."""

import os

import pytest

from autograder import ROOT
from autograder.build.assign import build_one, master_path, student_path
from autograder.build.gradescope_zip import write_zip
from autograder.config import load_config

SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist.npz"
if "MNIST_PATH" not in os.environ and SHARED_MNIST.is_file():
    os.environ["MNIST_PATH"] = str(SHARED_MNIST)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def built(config, tmp_path_factory):
    """The committed student notebook, with dist/ (tests, zips) built from the solutions.

    The student notebook is built into a temporary folder, never over the committed one,
    so that tests/build can tell when the committed notebook is stale.
    """
    build_one(master_path(config.assignment), config, tmp_path_factory.mktemp("students"), ROOT)
    write_zip(config)
    return student_path(config.assignment)

"""Shared fixtures: the built assignment and submissions made from its template."""
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import nbformat
import pytest

from autograder import ROOT, answers
from autograder.build import build, student_path
from autograder.config import load_config

SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist.npz"
if "MNIST_PATH" not in os.environ and SHARED_MNIST.is_file():
    os.environ["MNIST_PATH"] = str(SHARED_MNIST)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SCHEMA = json.loads((Path(__file__).parent / "data" / "gradescope_results.schema.json").read_text())

# Trains on 2,000 images for one epoch: seconds instead of a minute, far below the target.
QUICK_TRAINING = """\
improved_model = build_improved_model()
improved_model.fit(X_train_flat[:2000], y_train[:2000], epochs=1, batch_size=128, verbose=0)
"""


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def built(config):
    """Build once per test run (it rewrites the committed notebooks byte for byte)."""
    build(config)
    return student_path(config.assignment)


def solution_answers():
    return answers.solution_answers(ROOT / "solutions" / "deep_learning_primer.ipynb")


def make_submission(path, built, **overrides):
    """The student notebook with the solution's answers, some replaced by `overrides`."""
    nb = answers.fill_answers(nbformat.read(built, as_version=4), {**solution_answers(), **overrides})
    nbformat.write(nb, path)
    return path


def run_cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=900
    )


def valid_results(path):
    results = json.loads(Path(path).read_text())
    jsonschema.validate(results, SCHEMA)
    return results

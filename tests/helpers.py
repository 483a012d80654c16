"""What many tests use: submissions made from the solution, the CLI, the results schema."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import nbformat

from autograder import ROOT, package_files
from autograder.assign import answers
from autograder.course import Assignment

PRIMER = Assignment("deep_learning_primer")
FOR_THE_PRIMER = ("--assignment", PRIMER.name)  # grade's option, for files that name no assignment of the course
MASTER = PRIMER.master
SCHEMA = json.loads((Path(__file__).parent / "data" / "gradescope_results.schema.json").read_text())

# Trains on 2,000 images for one epoch: seconds instead of a minute, far below the target.
QUICK_TRAINING = answers.quick_answers(PRIMER.mutants)["mnist_accuracy"]


def solution_answers():
    return answers.solution_answers(MASTER)


def make_submission(path, built, **overrides):
    """The student notebook with the solution's answers, some replaced by `overrides`."""
    nb = answers.fill_answers(nbformat.read(built, as_version=4), {**solution_answers(), **overrides})
    nbformat.write(nb, path)
    return path


def submission_of(config, path, **overrides):
    """The student notebook of `config`'s assignment with its solution's answers, some replaced by `overrides`."""
    template = nbformat.read(config.files.student, as_version=4)
    nbformat.write(answers.fill_answers(template, {**answers.solution_answers(config.files.master), **overrides}), path)
    return path


def run_cli(*args, cwd=ROOT, env=None, timeout=900):
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def valid_results(path):
    results = json.loads(Path(path).read_text())
    jsonschema.validate(results, SCHEMA)
    return results


def kit_fingerprint():
    files = sorted([*package_files(), ROOT / "grading_config.yml", *ROOT.glob("dist/*/tests/*.py")])
    files += sorted(ROOT.glob("solutions/*.py"))
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def own_temp(root, env=None):
    """A run's own temporary root, so that only what this run leaves behind is counted."""
    temp = root / "tmp"
    temp.mkdir()
    return temp, {**(env or os.environ), "TMPDIR": str(temp)}


def headless_chromium(page, tmp_path, size=(1000, 900)):
    """A page as headless Chromium renders it: (screenshot path, DOM); None if there is no Chromium."""
    import shutil

    browser = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if browser is None:
        return None
    shot = tmp_path / f"{Path(page).stem}-shot.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={size[0]},{size[1]}",
    ]
    uri = Path(page).as_uri()
    subprocess.run([browser, *flags, f"--screenshot={shot}", uri], check=True, capture_output=True, timeout=120)
    dom = subprocess.run([browser, *flags, "--dump-dom", uri], check=True, capture_output=True, text=True, timeout=120)
    return shot, dom.stdout

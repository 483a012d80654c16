"""Benchmark: which numeric settings measure the primer's solution the same, and how fast each is.

The primer's solution is graded alone with `limits.threads` at 1, 2 and 4, with TensorFlow's oneDNN
on and off (TensorFlow's op determinism is always on: the primer's KERNEL_SETUP), each printed with
the accuracy the grader measured and the seconds the notebook's own cells took. Then the same
solution is run as a student runs it (Jupyter, nbclient), its Submission cell zipping the weights
it trained, and that zip graded: the weights loaded, the training skipped. Run it with
`make bench-numeric` (about 20 minutes on 2 cores).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

from autograder import ROOT
from autograder.assign.answers import fill_answers, solution_answers
from autograder.config import load_config, read_course

SETTINGS = [(1, "1"), (1, "0"), (2, "1"), (2, "0"), (4, "1")]  # (threads, TF_ENABLE_ONEDNN_OPTS)


def graded(submission, out, config_path, env=None):
    """(measured accuracy, seconds of the notebook's cells, wall seconds, how the model was got)."""
    started = time.monotonic()
    command = [sys.executable, "-m", "autograder", "--config", str(config_path), "grade", str(submission)]
    subprocess.run([*command, "--out", str(out)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.monotonic() - started
    measured = json.loads((out / "grade.json").read_text())["measurements"]
    cells = measured["phases"].get("notebook cells", 0)
    return measured.get("test_accuracy"), cells, wall, measured.get("model_weights")


def config_with(folder, threads):
    _, data = read_course()
    data["limits"]["threads"] = threads
    path = folder / f"threads{threads}.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def as_a_student(folder, solution):
    """The solution run top to bottom in Jupyter's way: the zip its Submission cell makes (weights in it)."""
    nb = nbformat.read(solution, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=1800, resources={"metadata": {"path": str(folder)}}).execute(
        env={**os.environ, "MPLBACKEND": "Agg"}
    )
    return next(folder.glob("*.zip"))


def main():
    config = load_config(assignment="deep_learning_primer")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        solution = tmp / "student" / "deep_learning_primer.ipynb"
        solution.parent.mkdir()
        template = nbformat.read(config.files.student, as_version=4)
        nbformat.write(fill_answers(template, solution_answers(config.files.master)), solution)
        print("threads  oneDNN  accuracy  notebook cells (s)  wall (s)", flush=True)
        for threads, onednn in SETTINGS:
            env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": onednn}
            out = tmp / f"t{threads}-o{onednn}"
            accuracy, cells, wall, _ = graded(solution, out, config_with(tmp, threads), env)
            print(
                f"{threads:7}  {'on' if onednn == '1' else 'off':6}  {accuracy:.4f}  {cells:18.1f}  {wall:8.1f}",
                flush=True,
            )
        started = time.monotonic()
        exported = as_a_student(solution.parent, solution)
        print(f"run as a student (Jupyter, 2 cores, TensorFlow's own threads): {time.monotonic() - started:.0f} s")
        accuracy, cells, wall, model = graded(exported, tmp / "weights", config_with(tmp, 1))
        print(f"the same solution handed in with its weights: {model}, accuracy {accuracy:.4f}, {wall:.1f} s wall")


if __name__ == "__main__":
    main()

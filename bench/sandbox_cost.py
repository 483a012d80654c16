"""Benchmark: what the sandbox costs, and how closely the memory limit holds.

1. Start-up: a kernel started, one cell run (`import numpy`) and shut down, in the
   sandbox (bwrap) and without it (--trusted), alternating, ROUNDS times each, in one
   run. Prints the medians and their ratio.
2. Memory: a notebook whose four forked processes take 2 GB each (more than the limit
   together, each under it) is graded with a 4000 MB limit; prints the peak the grader
   measured when it stopped it, against the limit.

Run it with `make bench-sandbox` (about two minutes).
"""

import statistics
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import nbformat

from autograder.assign.answers import fill_answers, quick_answers, solution_answers
from autograder.classroom.collect import Submission
from autograder.config import load_config
from autograder.grading.isolate import grade_isolated
from autograder.grading.kernel import GradingKernel
from autograder.grading.sandbox import Sandbox
from tests.catalogue import HOG  # the class run's memory hog: four forked 2 GB processes

ROUNDS = 7


def start_up_seconds(config, sandbox):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import numpy")]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        kernel = GradingKernel(Path(folder), config, {}, sandbox)
        with kernel.running():
            kernel.run_notebook(nb)
        return time.perf_counter() - started


def memory_limit(config):
    config = replace(config, memory_limit_mb=4000, cell_timeout_seconds=60)
    master = config.files.master
    template = nbformat.read(config.files.student, as_version=4)
    answers = {**solution_answers(master), **quick_answers(master)}
    answers["activations"] += HOG
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hog.ipynb"
        nbformat.write(fill_answers(template, answers), path)
        result = grade_isolated(
            Submission("hog", "hog", path), Path(folder) / "out", config, threading.Event(), Sandbox.choose()
        )
    return result.status, result.measurements["peak_memory_mb"], config.memory_limit_mb


def main():
    config = load_config(assignment="deep_learning_primer")
    sandboxed, trusted = [], []
    for _ in range(ROUNDS):
        sandboxed.append(start_up_seconds(config, Sandbox.choose()))
        trusted.append(start_up_seconds(config, Sandbox.choose(trusted=True)))
    a, b = statistics.median(sandboxed), statistics.median(trusted)
    print(f"kernel start + one cell, median of {ROUNDS}: sandbox {a:.2f} s, no sandbox {b:.2f} s")
    print(f"  ratio {a / b:.2f}, cost of the sandbox {a - b:+.2f} s per kernel")
    status, peak, limit = memory_limit(config)
    print(f"memory: four 2 GB processes under a {limit:g} MB limit: {status}, peak measured {peak} MB")
    print(f"  {100 * (peak - limit) / limit:+.1f} % of the limit when stopped")


if __name__ == "__main__":
    main()

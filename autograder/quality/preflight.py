"""Before uploading to Gradescope: what does grading the solution really need?

Gradescope's defaults (768 MB, half a CPU, 10 minutes) are far below what TensorFlow
training needs, and a run over the limit fails without per-test results. So grade the
solution as Gradescope would, measure it, and say which settings to choose.
"""

import math
import threading
from pathlib import Path

import nbformat

from autograder.assign.answers import fill_answers, solution_answers
from autograder.classroom.collect import Submission
from autograder.grading.isolate import grade_isolated

GRADESCOPE_MAX_MINUTES = 40


def preflight(config, out, sandbox):
    template = nbformat.read(config.files.student, as_version=4)
    out.mkdir(parents=True, exist_ok=True)
    notebook = out / f"{config.assignment}.ipynb"
    nbformat.write(fill_answers(template, solution_answers(config.files.master)), notebook)
    result = grade_isolated(
        Submission("solution", "solution", notebook), out / "graded", config, threading.Event(), sandbox
    )
    peak_gb = result.measurements["peak_memory_mb"] / 1024
    # Gradescope's CPUs may be slower and fewer than this machine's: keep four times the time,
    # and room for the config's own limit, so that a stuck submission still gets its results page.
    needed = max(math.ceil(4 * result.seconds / 60), math.ceil(config.submission_timeout_seconds / 60) + 2)
    minutes = min(GRADESCOPE_MAX_MINUTES, max(10, needed))
    memory_gb = math.ceil(1.5 * peak_gb)
    lines = [
        f"{config.assignment}: graded the solution as Gradescope would"
        f" ({config.threads} numeric thread(s), limits.threads):"
        f" {result.score:g} / {result.possible:g} points in {result.seconds:.0f} s,"
        f" peak memory {peak_gb:.1f} GB (kernel and grader together).",
        "Gradescope autograder settings to choose (Settings > Autograder > resources and timeout):",
        f"  memory:  at least {memory_gb} GB (the default 768 MB is not enough)",
        "  CPUs:    at least limits.threads + 1 (the student's kernel and the grader)",
        f"  timeout: {minutes} minutes",
        "  base image: Ubuntu 24.04 (or 22.04: setup.sh then installs Python 3.11)",
    ]
    if needed > GRADESCOPE_MAX_MINUTES:
        lines.append(
            f"  note: lower submission_timeout_seconds ({config.submission_timeout_seconds:g})"
            f" in {Path(config.source).name} below {GRADESCOPE_MAX_MINUTES - 2} minutes,"
            " Gradescope's longest timeout less a margin."
        )
    if result.score < result.possible:
        lines.append(f"  WARNING: the solution did not get full marks: {result.error or 'see ' + str(out / 'graded')}")
    return "\n".join(lines)

"""The student's side: the notebook runs top to bottom, checks pass, export works."""

import os

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.grading.merge import merge
from autograder.grading.submission import read_submission
from tests.helpers import QUICK_TRAINING, make_submission

pytestmark = pytest.mark.slow


def test_completed_notebook_runs_checks_and_exports_a_gradable_zip(tmp_path, built, config, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    path = make_submission(tmp_path / built.name, built, mnist_accuracy=QUICK_TRAINING)
    nb = nbformat.read(path, as_version=4)
    baseline = [c for c in nb.cells if "epochs=10" in c.source and "demo" in c.metadata.get("tags", [])]
    assert len(baseline) == 1
    baseline[0].source = baseline[0].source.replace("epochs=10", "epochs=1")  # the same cell, a tenth of the time
    NotebookClient(nb, kernel_name="python3", timeout=900, resources={"metadata": {"path": str(tmp_path)}}).execute()

    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors[0]
    checks = {c.id: _text(c) for c in nb.cells if c.id.endswith("-check")}
    for question in ("activations", "gradient_descent", "improved_model"):
        assert "passed" in checks[f"{question}-check"] and "failed" not in checks[f"{question}-check"]
    assert "below the target" in checks["mnist_accuracy-check"]  # 2,000 images are not enough

    exports = list(tmp_path.glob("deep_learning_primer_*.zip"))
    assert len(exports) == 1, os.listdir(tmp_path)
    # Gradable: the grader reads the notebook in the zip, and it merges into the template with
    # the student's answers (grading such a notebook is the class run's business).
    exported = read_submission(exports[0], config.assignment)
    graded = merge(nbformat.read(built, as_version=4), exported)
    answers = {c.id: c.source for c in graded.cells if c.id.endswith("-answer")}
    assert answers == {c.id: c.source for c in nbformat.read(path, as_version=4).cells if c.id.endswith("-answer")}


def _text(cell):
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts += [output.get("data", {}).get("text/plain", "")]
    return "".join(parts)

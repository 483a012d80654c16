"""The student's side: the notebook runs top to bottom, checks pass, export works."""

import os

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.grading.grade import grade_submission
from tests.helpers import QUICK_TRAINING, make_submission

pytestmark = pytest.mark.slow


def test_completed_notebook_runs_checks_and_exports_a_gradable_zip(tmp_path, built, config, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    path = make_submission(tmp_path / built.name, built, mnist_accuracy=QUICK_TRAINING)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=900, resources={"metadata": {"path": str(tmp_path)}}).execute()

    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors[0]
    checks = {c.id: _text(c) for c in nb.cells if c.id.endswith("-check")}
    for question in ("activations", "gradient_descent", "improved_model"):
        assert "passed" in checks[f"{question}-check"] and "failed" not in checks[f"{question}-check"]
    assert "below the target" in checks["mnist_accuracy-check"]  # 2,000 images are not enough

    exports = list(tmp_path.glob("deep_learning_primer_*.zip"))
    assert len(exports) == 1, os.listdir(tmp_path)
    result = grade_submission(exports[0], config)
    assert result.error is None
    assert {q.name: q.score for q in result.questions} == {**config.points, "mnist_accuracy": 0}


def _text(cell):
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts += [output.get("data", {}).get("text/plain", "")]
    return "".join(parts)

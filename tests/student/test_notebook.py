"""The student's side: the notebook runs top to bottom, checks pass, export works."""

import json
import os
import re
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.grading.merge import merge
from autograder.grading.submission import read_submission
from tests.grading import test_fairness as fairness
from tests.helpers import QUICK_TRAINING, make_submission, run_cli

pytestmark = pytest.mark.slow


def test_completed_notebook_under_another_name_runs_checks_and_exports_a_gradable_zip(tmp_path, built, config):
    """Jupyter, a renamed copy ("Copy of ... (1).ipynb"): the checks and the export still work."""
    path = make_submission(tmp_path / f"Copy of {built.stem} (1).ipynb", built, mnist_accuracy=QUICK_TRAINING)
    nb = _run(_shorter_baseline(nbformat.read(path, as_version=4)), tmp_path)

    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors[0]
    checks = {c.id: _text(c) for c in nb.cells if c.id.endswith("-check")}
    for question in ("activations", "gradient_descent", "improved_model"):
        assert "passed" in checks[f"{question}-check"] and "failed" not in checks[f"{question}-check"]
    assert "below the target" in checks["mnist_accuracy-check"]  # 2,000 images are not enough

    exports = list(tmp_path.glob("*.zip"))
    assert len(exports) == 1, os.listdir(tmp_path)
    # Gradable: the grader reads the notebook in the zip, and it merges into the template with
    # the student's answers (grading such a notebook is the class run's business).
    exported = read_submission(exports[0], config.assignment)
    graded = merge(nbformat.read(built, as_version=4), exported)
    answers = {c.id: c.source for c in graded.cells if c.id.endswith("-answer")}
    assert answers == {c.id: c.source for c in nbformat.read(path, as_version=4).cells if c.id.endswith("-answer")}

    # The grader (a fresh kernel, the demo skipped, its own copy of the test set) measures what the
    # student's check showed, from the weights the zip holds (their training skipped) and from the
    # notebook alone (trained again: the training starts from the same seed whatever ran before it).
    assert "deep_learning_primer.weights.npz" in zipfile.ZipFile(exports[0]).namelist()
    local_accuracy = re.search(r"test accuracy (0\.\d+)", checks["mnist_accuracy-check"])[1]
    alone = tmp_path / "alone" / path.name  # the notebook without the weights the cell left beside it
    alone.parent.mkdir()
    alone.write_bytes(path.read_bytes())
    for submitted, model in [(exports[0], "loaded"), (alone, "retrained")]:
        run = run_cli("grade", submitted, "--out", tmp_path / model)
        measured = json.loads((tmp_path / model / "grade.json").read_text())["measurements"]
        assert (f"{measured['test_accuracy']:.4f}", measured["model_weights"]) == (local_accuracy, model), run.stdout


COLAB = "type(get_ipython()).__module__ = 'google.colab._shell'  # how otter (and the notebook) recognise Colab"
SUBCLASSED = fairness.SUBCLASSED + '\ngrader.check("improved_model")\n'


def test_blank_notebook_runs_top_to_bottom_on_colab(tmp_path, built):
    """Colab: an empty folder, no notebook file on disk. Nothing raises; each check says what is
    not written yet; the export says how to download the notebook; the public check refuses a
    model the grader cannot rebuild, saying how to write it instead."""
    nb = _shorter_baseline(nbformat.read(built, as_version=4))
    nb.cells.insert(0, nbformat.v4.new_code_cell(COLAB))
    nb.cells.append(nbformat.v4.new_code_cell(SUBCLASSED))
    _run(nb, tmp_path)

    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".OTTER_LOG", "public_tests"]  # no notebook, no zip
    texts = {c.id: _text(c) for c in nb.cells}
    assert "relu is not written yet (Question 1)" in texts["activations-check"]
    assert "gradient is not written yet (Question 2)" in texts["gradient_descent-check"]
    assert "Answer Question 1 to see these plots" in "".join(texts.values())
    assert "improved_model is not trained yet" in texts["mnist_accuracy-check"]
    export = next(c for c in nb.cells if "grader.export(" in c.source)
    assert "File > Download > Download .ipynb" in _text(export)
    assert "subclassed model" in _text(nb.cells[-1])
    assert not any(o.get("name") == "stderr" for c in nb.cells for o in c.get("outputs", []))  # TensorFlow is quiet


def _shorter_baseline(nb):
    """The same notebook, its baseline trained for one epoch instead of ten."""
    baseline = [c for c in nb.cells if "epochs=10" in c.source and "demo" in c.metadata.get("tags", [])]
    assert len(baseline) == 1
    baseline[0].source = baseline[0].source.replace("epochs=10", "epochs=1")
    return nb


def _run(nb, folder):
    client = NotebookClient(nb, kernel_name="python3", timeout=900, resources={"metadata": {"path": str(folder)}})
    client.execute(env={**os.environ, "MPLBACKEND": "Agg"})
    return nb


def _text(cell):
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts += [output.get("data", {}).get("text/plain", "")]
    return "".join(parts)


def test_the_submission_cell_judges_the_answer_cells_and_keeps_one_zip(tmp_path, built):
    """A saved notebook whose answered cell still shows an old "not written yet" output is answered;
    running the cell again replaces its zip rather than adding one."""
    saved = make_submission(tmp_path / "deep_learning_primer.ipynb", built)
    nb = nbformat.read(saved, as_version=4)
    answer = next(c for c in nb.cells if c.id == "mnist_accuracy-answer")
    answer.outputs = [
        nbformat.v4.new_output("error", ename="NotImplementedError", evalue="not written yet (Question 3)")
    ]
    nbformat.write(nb, saved)
    setup = next(c for c in nb.cells if "PUBLIC_TESTS = {" in c.source)
    submission = next(c for c in nb.cells if "grader.export(" in c.source)
    run = nbformat.v4.new_notebook(cells=[setup, submission, nbformat.v4.new_code_cell(submission.source)])
    _run(run, tmp_path)
    assert all("not answered yet" not in _text(c) for c in run.cells), [_text(c) for c in run.cells]
    assert [p.name for p in tmp_path.glob("*.zip")] == ["deep_learning_primer.zip"]
    blank = tmp_path / "blank"
    blank.mkdir()
    nbformat.write(nbformat.read(built, as_version=4), blank / "deep_learning_primer.ipynb")
    _run(nbformat.v4.new_notebook(cells=[setup, submission]), blank)
    assert "Question(s) 1, 2, 3 are not answered yet" in _text(submission)

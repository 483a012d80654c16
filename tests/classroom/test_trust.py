"""Grades that can be trusted: tampering earns nothing, real work earns its points."""

import csv
import re

import nbformat
import pytest

from autograder import ROOT
from autograder.build.assign import dist_dir
from autograder.classroom.bulk import grade_all
from tests.helpers import QUICK_TRAINING, make_submission, solution_answers, valid_results

pytestmark = pytest.mark.slow

PATCH_EVALUATE = """
import keras
keras.Model.evaluate = lambda self, *args, **kwargs: [0.0, 1.0]
keras.Model.predict = lambda self, x, *args, **kwargs: __import__("numpy").eye(10)[y_test[: len(x)]]
"""
PATCH_GRADER = """
def relu(z):
    return z

import numpy as np
import otter
import otter.test_files.abstract_test as abstract_test
abstract_test.TestFile.score = property(lambda self: 999)
otter.Notebook.check = lambda *args, **kwargs: None
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
"""
HARD_CODED_RELU = """
def relu(z):
    if np.shape(z) == (5,):
        return np.array([0.0, 0.0, 0.0, 0.5, 3.0])
    return np.ones(np.shape(z))
"""


# Edits to given cells that WOULD change the grade if the grader ran them as submitted.
GIVEN_EDITS = [
    ("rng_seed = 42", "rng_seed = 7"),  # another seed: another trained model, another accuracy
    ('X_train = X_train.astype("float32") / 255.0', 'X_train = X_train.astype("float32") / 255.0 * 0'),  # blank images
    ("TARGET_ACCURACY = 0.98", "TARGET_ACCURACY = 0.1"),
    ("return keras.datasets.mnist.load_data()", "raise SystemExit"),
    ("def test_", "def ignored_"),
]


def _edit_given_cells(nb):
    for old, _ in GIVEN_EDITS[:2]:
        assert any(old in c.source for c in nb.cells), old
    for cell in nb.cells:
        for old, new in GIVEN_EDITS:
            cell.source = cell.source.replace(old, new)
    # Delete a given cell every answer needs: without `import numpy as np`, activations score 0.
    kept = [c for c in nb.cells if c.source.strip() != "import numpy as np\nimport matplotlib.pyplot as plt"]
    assert len(kept) == len(nb.cells) - 1
    nb.cells = kept


def _adversaries(folder, built):
    answers = solution_answers()
    quick = {"mnist_accuracy": QUICK_TRAINING}
    make_submission(folder / "patched_evaluate.ipynb", built, mnist_accuracy=QUICK_TRAINING + PATCH_EVALUATE)
    make_submission(
        folder / "pessimistic_evaluate.ipynb",
        built,
        mnist_accuracy=answers["mnist_accuracy"] + PATCH_EVALUATE.replace("[0.0, 1.0]", "[9.0, 0.0]"),
    )
    make_submission(
        folder / "fake_accuracy.ipynb", built, mnist_accuracy=QUICK_TRAINING + "test_accuracy = accuracy = 0.999\n"
    )
    make_submission(folder / "patched_grader.ipynb", built, activations=answers["activations"] + PATCH_GRADER, **quick)
    make_submission(folder / "hard_coded.ipynb", built, activations=answers["activations"] + HARD_CODED_RELU, **quick)
    make_submission(folder / "edited_given.ipynb", built, **quick)
    nb = nbformat.read(folder / "edited_given.ipynb", as_version=4)
    _edit_given_cells(nb)
    extra = nbformat.v4.new_code_cell("def helper(w):\n    return 2 * (w - 3)\n")
    nb.cells.insert(3, extra)  # an extra cell of the student's own, used below
    for cell in nb.cells:
        if cell.id == "gradient_descent-answer":
            cell.source = cell.source.replace("return 2 * (w - 3)", "return helper(w)")
    nbformat.write(nb, folder / "edited_given.ipynb")
    for copy in range(2):
        make_submission(folder / f"same{copy}.ipynb", built, **quick)


# submission -> expected points per question
EXPECTED = {
    "patched_evaluate": {"activations": 4, "gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
    "pessimistic_evaluate": {"activations": 4, "gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 2},
    "fake_accuracy": {"activations": 4, "gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
    "patched_grader": {"gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
    "hard_coded": {"gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
    "edited_given": {"activations": 4, "gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, built, config):
    root = tmp_path_factory.mktemp("adversaries")
    (root / "in").mkdir()
    _adversaries(root / "in", built)
    grade_all([root / "in"], root / "out", config, jobs=2)
    with open(root / "out" / "gradebook.csv", newline="") as f:
        return root / "out", {row["student"]: row for row in csv.DictReader(f)}


@pytest.mark.parametrize("name", EXPECTED)
def test_each_adversary_gets_what_its_real_work_earns(graded, name):
    _, rows = graded
    row = rows[name]
    assert row["status"] == "graded", row
    for question, points in EXPECTED[name].items():
        assert float(row[question]) == points, (name, question, row)


def test_tampered_functions_still_lose_their_points(graded):
    _, rows = graded
    assert float(rows["patched_grader"]["activations"]) < 4
    hard_coded = valid_results(graded[0] / "students" / "hard_coded" / "results.json")
    public = next(t for t in hard_coded["tests"] if t["name"] == "Public tests")
    assert "❌ test_relu_examples" not in public["output"]  # it fools the public test...
    assert float(rows["hard_coded"]["activations"]) < 4  # ...not the hidden ones


def test_same_submission_same_scores_twice(graded, config):
    _, rows = graded
    keys = [*list(config.points), "total", "test_accuracy"]
    assert {k: rows["same0"][k] for k in keys} == {k: rows["same1"][k] for k in keys}


def test_edited_given_cells_grade_exactly_as_the_unedited_submission(graded, config):
    """The seed and data edits would change the measured accuracy; the deleted import, activations."""
    _, rows = graded
    keys = [*list(config.points), "total", "test_accuracy"]
    assert {k: rows["edited_given"][k] for k in keys} == {k: rows["same0"][k] for k in keys}


def test_nothing_hidden_reaches_students(graded, built):
    """No hidden test code nor solution line in what students can see."""
    public = _public_master_text()
    secrets = [line for line in _hidden_test_lines() + _solution_lines() if line not in public]
    assert len(secrets) > 40
    out, _ = graded
    visible = [built.read_text()]
    for folder in (out / "students").iterdir():
        results = valid_results(folder / "results.json")
        visible += [results["output"], (folder / "feedback.html").read_text()]
        visible += [t["output"] for t in results["tests"]]  # after publication, students see every test's output
    for text in visible:
        leaked = [s for s in secrets if s in text]
        assert not leaked, leaked[:3]


def _hidden_test_lines():
    lines = []
    for path in (dist_dir("deep_learning_primer") / "tests").glob("*.py"):
        for block in re.split(r"\n(?=@test_case)", path.read_text()):
            if "hidden=True" in block:
                lines += [line.strip() for line in block.splitlines()[2:] if len(line.strip()) > 25]
    return lines


def _public_master_text():
    """What the master holds outside solutions and hidden tests: public by design."""
    master = nbformat.read(ROOT / "solutions" / "deep_learning_primer.ipynb", as_version=4)
    public, inside = [], False
    for cell in master.cells:
        text = cell.source.strip()
        if cell.cell_type == "raw" and text.startswith(("# BEGIN SOLUTION", "# END SOLUTION")):
            inside = text.startswith("# BEGIN")
        elif not inside and not text.startswith("# HIDDEN"):
            public.append(cell.source)
    return "\n".join(public)


def _solution_lines():
    """Lines between `# BEGIN SOLUTION` and `# END SOLUTION` in the master's code cells."""
    master = nbformat.read(ROOT / "solutions" / "deep_learning_primer.ipynb", as_version=4)
    lines = []
    for cell in master.cells:
        if cell.cell_type != "code":
            continue
        inside = False
        for line in cell.source.splitlines():
            if "# BEGIN SOLUTION" in line or "# END SOLUTION" in line:
                inside = "BEGIN" in line
            elif inside and len(line.strip()) > 12:
                lines.append(line.strip())
    return lines

"""Grades that can be trusted: tampering earns nothing, real work earns its points.

The submissions are catalogue.STRICT, graded once per run (conftest.strict_run).
"""

import csv
import re

import nbformat
import pytest

from autograder import ROOT
from tests.helpers import PRIMER, valid_results

pytestmark = pytest.mark.slow

# submission -> expected points per question
EXPECTED = {
    "patched_evaluate": {"activations": 4, "gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
    "fake_accuracy": {"activations": 4, "gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
    "patched_grader": {"gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
    "hard_coded": {"gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
    "label_lookup": {"activations": 4, "gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
    "test_set_training": {"activations": 4, "gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
    "edited_given": {"activations": 4, "gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 0},
}


@pytest.mark.parametrize("name", EXPECTED)
def test_each_adversary_gets_what_its_real_work_earns(strict_run, name):
    _, rows = strict_run
    row = rows[name]
    assert row["status"] == "graded", row
    for question, points in EXPECTED[name].items():
        assert float(row[question]) == points, (name, question, row)


def test_training_on_the_test_set_learns_nothing_in_the_grader(strict_run):
    """The graded kernel's test labels are all 0: the model predicts 0, right for the zeros alone."""
    _, rows = strict_run
    assert float(rows["test_set_training"]["test_accuracy"]) < 0.2, rows["test_set_training"]


def test_tampered_functions_still_lose_their_points(strict_run):
    _, rows = strict_run
    assert float(rows["patched_grader"]["activations"]) < 4
    hard_coded = valid_results(strict_run[0] / "students" / "hard_coded" / "results.json")
    public = next(t for t in hard_coded["tests"] if t["name"] == "Public tests")
    assert "❌ relu of a few numbers" not in public["output"]  # it fools the public test...
    assert float(rows["hard_coded"]["activations"]) < 4  # ...not the hidden ones


def test_the_same_submission_gets_the_same_grade_in_another_run(strict_run, class_run, config):
    """same0 is alice's notebook: graded in another run, another process, under another config."""
    _, rows = strict_run
    with open(class_run["out"] / "gradebook.csv", newline="") as f:
        alice = next(row for row in csv.DictReader(f) if row["student"] == "alice")
    keys = [q for q in config.points if q != "mnist_accuracy"] + ["test_accuracy"]  # the target differs
    assert {k: rows["same0"][k] for k in keys} == {k: alice[k] for k in keys}


def test_edited_given_cells_grade_exactly_as_the_unedited_submission(strict_run, config):
    """The seed and data edits would change the measured accuracy; the deleted import, activations."""
    _, rows = strict_run
    keys = [*list(config.points), "total", "test_accuracy"]
    assert {k: rows["edited_given"][k] for k in keys} == {k: rows["same0"][k] for k in keys}


def test_nothing_hidden_reaches_students(strict_run, built):
    """No hidden test code nor solution line in what students can see."""
    public = _public_master_text()
    secrets = [line for line in _hidden_test_lines() + _solution_lines() if line not in public]
    assert len(secrets) > 40
    out, _ = strict_run
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
    for path in PRIMER.tests.glob("*.py"):
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

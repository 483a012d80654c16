"""An instructor's own assignment: a NumPy master in plain otter format, beside the primer.

The master has none of the kit's cells and no section in grading_config.yml: build adds the
cells, its points come from its own `# BEGIN QUESTION` blocks, and grading it imports no
TensorFlow and mounts no MNIST (its hidden tests check both, in the grader and in the kernel).
"""

import shutil
import threading

import nbformat
import pytest
import yaml

from autograder import ROOT
from autograder.assign.answers import fill_answers, solution_answers
from autograder.assign.build import build_one
from autograder.assign.messages import untrue_messages
from autograder.assign.starter import write_starter
from autograder.classroom.bulk import grade_all
from autograder.classroom.collect import one_submission
from autograder.config import load_config
from autograder.errors import ConfigError
from autograder.grading.isolate import grade_isolated

CONFIG = """\
# ASSIGNMENT CONFIG
name: mse
tests:
  ok_format: false
"""

MSE_ANSWER = """\
import numpy as np

def mse(y, y_hat):
    # BEGIN SOLUTION
    return float(np.mean((np.asarray(y, dtype=float) - np.asarray(y_hat, dtype=float)) ** 2))
    # END SOLUTION
"""

STEP_ANSWER = """\
import os, sys

def step(w, grad, lr=0.1):
    # BEGIN SOLUTION
    return w - lr * grad
    # END SOLUTION

TENSORFLOW_IN_KERNEL = "tensorflow" in sys.modules
DATA_IN_KERNEL = sorted(k for k in os.environ if k.endswith("_PATH") and k != "PATH")
"""


def _question(name, points, answer, public, hidden):
    return [
        nbformat.v4.new_raw_cell(f"# BEGIN QUESTION\nname: {name}\npoints: {points}"),
        nbformat.v4.new_raw_cell("# BEGIN SOLUTION"),
        nbformat.v4.new_code_cell(answer),
        nbformat.v4.new_raw_cell("# END SOLUTION"),
        nbformat.v4.new_raw_cell("# BEGIN TESTS"),
        nbformat.v4.new_code_cell(public),
        nbformat.v4.new_code_cell(hidden),
        nbformat.v4.new_raw_cell("# END TESTS"),
        nbformat.v4.new_raw_cell("# END QUESTION"),
    ]


# What the kit's grader must hold to: no TensorFlow imported and no data mounted, for an assignment
# that declares neither (otter's own autograder, run in the instructor's environment, does not).
KIT_ONLY_CHECKS = (
    "    assert 'tensorflow' not in sys.modules, 'the grader imported TensorFlow'\n"
    "    assert not TENSORFLOW_IN_KERNEL, 'the kernel imported TensorFlow'\n"
    "    assert DATA_IN_KERNEL == [], DATA_IN_KERNEL\n"
)


def write_master(path, kit_only_checks=True):
    """The instructor's master at `path`; `kit_only_checks`: its hidden test of `step` also checks
    that grading it imports no TensorFlow and mounts no data."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_raw_cell(CONFIG),
        nbformat.v4.new_markdown_cell("# Loss and a step\n\nTwo small functions, in NumPy."),
        nbformat.v4.new_markdown_cell("**Question 1.** Write `mse(y, y_hat)`, the mean squared error."),
        *_question(
            "mse",
            2,
            MSE_ANSWER,
            "def test_mse_of_a_few_numbers(mse):\n    assert mse([1, 2], [1, 4]) == 2.0",
            "# HIDDEN\ndef test_mse_on_random_arrays(mse):\n"
            "    import numpy as np\n    from autograder.testing import close, grading_rng\n"
            "    y, y_hat = grading_rng().normal(size=(2, 50))\n"
            "    assert close(mse(y, y_hat), np.mean((y - y_hat) ** 2))",
        ),
        nbformat.v4.new_markdown_cell("**Question 2.** Write `step(w, grad, lr)`, one gradient descent step."),
        *_question(
            "step",
            3,
            STEP_ANSWER,
            "def test_one_step(step):\n    assert step(1.0, 2.0, 0.5) == 0.0",
            "# HIDDEN\ndef test_step_and_what_grading_loads(step, TENSORFLOW_IN_KERNEL, DATA_IN_KERNEL):\n"
            "    import sys\n    assert abs(step(3.0, 1.0) - 2.9) < 1e-9\n"
            + (KIT_ONLY_CHECKS if kit_only_checks else ""),
        ),
    ]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A copy of the course with the instructor's master added: the assignment's config (root: the copy)."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "solutions", root / "solutions")
    shutil.copy(ROOT / "grading_config.yml", root)
    write_master(root / "solutions" / "mse.ipynb")
    config = load_config(root / "grading_config.yml", root, "mse")
    build_one(config, root, root)
    return config


def test_it_builds_with_the_kits_cells_and_its_own_points(course):
    config = course
    assert config.points == {"mse": 2, "step": 3} and config.measured == {}
    student = nbformat.read(config.files.student, as_version=4)
    sources = [c.source for c in student.cells]
    assert any("PUBLIC_TESTS = {" in s for s in sources) and any("grader.export(" in s for s in sources)
    assert not any('otter.Notebook("mse.ipynb")' in s or "check_all()" in s for s in sources)  # otter's own cells
    assert "mse is not written yet (Question 1)" in "\n".join(sources)
    assert sorted(p.name for p in config.files.tests.iterdir()) == ["mse.py", "step.py"]


def test_its_solution_gets_every_point_a_wrong_answer_loses_its_question_and_its_blank_none(
    course, sandbox, tmp_path, monkeypatch
):
    """Graded where no MNIST can be found: no MNIST_PATH, no Keras cache in this HOME."""
    config = course
    monkeypatch.delenv("MNIST_PATH", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    template = nbformat.read(config.files.student, as_version=4)
    solution = solution_answers(config.files.master)
    wrong = {**solution, "mse": solution["mse"].replace("np.mean(", "np.sum(")}
    for name, answers in (("solution", solution), ("wrong", wrong)):
        nbformat.write(fill_answers(template, answers), tmp_path / f"{name}.ipynb")
    graded = {
        name: grade_isolated(one_submission(path), tmp_path / name, config, threading.Event(), sandbox)
        for name, path in [
            ("solution", tmp_path / "solution.ipynb"),
            ("wrong", tmp_path / "wrong.ipynb"),
            ("blank", config.files.student),
        ]
    }
    failed = [t.message for q in graded["solution"].questions for t in q.tests if not t.passed]
    assert (graded["solution"].score, graded["solution"].possible, graded["solution"].error, failed) == (5, 5, None, [])
    assert {q.name: q.score for q in graded["wrong"].questions} == {"mse": 0, "step": 3}
    assert (graded["blank"].score, graded["blank"].error) == (0, None)
    assert "accuracy" not in (tmp_path / "solution" / "feedback.html").read_text()
    print(f"an instructor's NumPy assignment: its solution graded in {graded['solution'].seconds} s")


def test_a_class_ignores_a_notebook_of_another_assignment(course, sandbox, tmp_path):
    config = course
    (tmp_path / "in").mkdir()
    shutil.copy(config.files.student, tmp_path / "in" / "ann.ipynb")
    shutil.copy(
        ROOT / "assignments" / "deep_learning_primer" / "deep_learning_primer.ipynb", tmp_path / "in" / "bob.ipynb"
    )
    run = grade_all([tmp_path / "in"], tmp_path / "out", config, 1, sandbox)
    assert [r.student for r in run.rows] == ["ann"]
    why = "a notebook of the assignment 'deep_learning_primer', not 'mse': grade it with --assignment"
    assert [(i.path.name, i.why) for i in run.ignored] == [("bob.ipynb", f"{why} deep_learning_primer")]
    header = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()[0]
    assert ",mse,step," in header and "accuracy" not in header


def test_new_writes_a_starter_that_builds_and_grades_at_once(course, sandbox, tmp_path):
    root = course.root
    master = write_starter("my_topic", root)
    with pytest.raises(ConfigError, match="exists already"):
        write_starter("my_topic", root)
    with pytest.raises(ConfigError, match="not an assignment name"):
        write_starter("my-topic", root)
    config = load_config(course.source, root, "my_topic")
    build_one(config, root, root)
    solution = grade_isolated(one_submission(master), tmp_path / "s", config, threading.Event(), sandbox)
    blank = grade_isolated(one_submission(config.files.student), tmp_path / "b", config, threading.Event(), sandbox)
    assert (solution.score, solution.possible, solution.error, blank.score, blank.error) == (2, 2, None, 0, None)
    assert untrue_messages(config.files.tests) == []
    spec = yaml.safe_load(config.files.mutants.read_text())
    assert list(spec["mutants"]) == ["mean"]


def test_an_assignment_named_like_a_python_module_is_refused(course, tmp_path):
    """Its tests import its module by its name: `statistics` would shadow Python's own."""
    with pytest.raises(ConfigError, match="a Python module's name already"):
        write_starter("statistics", tmp_path)
    shutil.copytree(course.root / "solutions", tmp_path / "solutions")
    shutil.copy(course.files.master, tmp_path / "solutions" / "statistics.ipynb")
    (tmp_path / "solutions" / "statistics.py").write_text("GRADER_IMPORTS = ()\n")
    with pytest.raises(ConfigError, match="already a Python module's name: rename the assignment"):
        load_config(course.source, tmp_path, "statistics")

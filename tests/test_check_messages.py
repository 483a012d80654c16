"""What a check tells a student is true, and points at their own line.

The common mistakes of the spiral's questions, graded once as a class, and the student's own
check run in their kernel: each failing test says what is wrong and, where the student's code
raised, in which of their cells and lines.
"""

import csv
import json
import linecache
import os

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.assign.answers import fill_answers, solution_answers
from autograder.assign.messages import untrue_messages
from autograder.assign.template import STUDENT_ONLY_TAG, answer_id, tags
from autograder.grading.grade import test_files
from tests.helpers import run_cli, submission_of

# The (n,) against (n, 1) mistake: dz2 flattened, so that `dz2 @ W2.T` cannot multiply.
FLAT_DZ2 = ("dz2 = (p - np.reshape(y, (n, 1))) / n", "dz2 = (p[:, 0] - y) / n")
RAISING_LINE = 'dA1 = dz2 @ params["W2"].T'


def _mistake(config, question, old, new):
    answer = solution_answers(config.files.master)[question]
    assert old in answer, (question, old)
    return {question: answer.replace(old, new)}


@pytest.fixture(scope="module")
def mistakes(spiral, tmp_path_factory):
    root = tmp_path_factory.mktemp("mistakes")
    (root / "in").mkdir()
    submission_of(spiral, root / "in" / "flat_dz2.ipynb", **_mistake(spiral, "backward", *FLAT_DZ2))
    run = run_cli("grade", root / "in", "--assignment", spiral.assignment, "--out", root / "out", "-j", 2)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with open(root / "out" / "gradebook.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    return root, rows


def _failed(root, student, question):
    grade = json.loads((root / "out" / "students" / student / "grade.json").read_text())
    return {
        t["name"]: t["message"]
        for q in grade["questions"]
        if q["name"] == question
        for t in q["tests"]
        if not t["passed"]
    }


def test_an_error_in_the_students_function_is_shown_at_their_line_then_the_tests(mistakes):
    root, _ = mistakes
    messages = _failed(root, "flat_dz2", "backward")
    hidden = next(m for name, m in messages.items() if "central-difference" in name)
    lines = hidden.splitlines()
    assert lines[1].startswith("ValueError: matmul"), hidden
    assert "of your cell starting 'def backward(X, y, params, activation=\"tanh\"):' (in backward)" in lines[2], hidden
    assert lines[3].strip() == RAISING_LINE and "called by the test (backward)" in lines[4], hidden
    assert lines[5].strip() == "grads = backward(X, y, params, activation)", hidden
    assert "autograder" not in hidden and "site-packages" not in hidden


def test_the_students_own_check_shows_their_line_too(spiral, tmp_path):
    """grader.check in the student's kernel (Jupyter): the same message, from the public tests."""
    path = submission_of(spiral, tmp_path / "backprop_spiral.ipynb", **_mistake(spiral, "backward", *FLAT_DZ2))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, allow_errors=True, resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env={**os.environ, "MPLBACKEND": "Agg"})
    check = next(c for c in nb.cells if 'grader.check("backward")' in c.source)
    text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in check.outputs)
    assert "line 21 of your cell starting 'def backward(" in text and RAISING_LINE in text, text
    assert "called by the test (backward):\n" in text and "grads = backward(X, y, params, 'tanh')" in text, text


# The common mistakes of each question: (assignment, question, {the solution's text: the mistake's},
# what the first failing check must say, None when the answer is still right). Each runs through the
# assignment's built tests, public and hidden, as the grader runs them; the first failure is the
# one a student reads first.
COPY = "params = {k: np.array(v, copy=True) for k, v in params.items()}"
STEP = "params = {k: params[k] - learning_rate * grads[k] for k in params}"
IN_PLACE = "for k in params:\n            params[k] -= learning_rate * grads[k]"
LOSS = "losses.append(float(cross_entropy(forward(X, params, activation)[0], y)))"
GRADS = "grads = backward(X, y, params, activation)"
MISTAKES = {
    "a column, not a vector": ("backprop_spiral", "forward", {"[:, 0]": ""}, "must have shape (n,) = (2,), not (2, 1)"),
    "the loss from probabilities": (
        "backprop_spiral",
        "cross_entropy",
        {
            "return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))": (
                "p = 1 / (1 + np.exp(-z))\n    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))"
            )
        },
        "sigmoid(1000) is exactly 1.0 in floats",
    ),
    "dz2 of shape (n,)": (
        "backprop_spiral",
        "backward",
        dict([FLAT_DZ2]),
        "line 21 of your cell starting 'def backward(",
    ),
    "a nudge not undone": (
        "backprop_spiral",
        "numerical_gradient",
        {"plus, minus = value.copy(), value.copy()": "plus, minus = value, value.copy()"},
        "numerical_gradient changed params",
    ),
    "the given params updated in place": (
        "backprop_spiral",
        "train",
        {COPY: "params = dict(params)", STEP: IN_PLACE},
        "train changed the params it was given",
    ),
    "its own copy updated in place (right)": ("backprop_spiral", "train", {STEP: IN_PLACE}, None),
    "the loss after each step": (
        "backprop_spiral",
        "train",
        {f"{LOSS}\n        {GRADS}\n        {STEP}": f"{GRADS}\n        {STEP}\n        {LOSS}"},
        "the first loss, that of the starting params, should be 1.79060847, not",
    ),
    "relu in place": (
        "deep_learning_primer",
        "activations",
        {
            "return np.maximum(0, np.asarray(z, dtype=float))": (
                "z = np.asarray(z, dtype=float)\n    z[z < 0] = 0\n    return z"
            )
        },
        "relu changed its input array in place",
    ),
    "softmax unshifted": (
        "deep_learning_primer",
        "activations",
        {"e = np.exp(z - z.max(axis=-1, keepdims=True))": "e = np.exp(z)"},
        "softmax([[1000.0, 1000.0, -1000.0], [-1000.0, 0.0, 1000.0]]) gives [[nan",
    ),
    "softmax over the whole array": (
        "deep_learning_primer",
        "activations",
        {"return e / e.sum(axis=-1, keepdims=True)": "return e / e.sum(keepdims=True)"},
        "(each row on its own)",
    ),
    "the default gradient, not grad_fn": (
        "deep_learning_primer",
        "gradient_descent",
        {"return w - learning_rate * grad_fn(w)": "return w - learning_rate * gradient(w)"},
        "use the grad_fn you are given",
    ),
    "the history without w0": (
        "deep_learning_primer",
        "gradient_descent",
        {"    return history\n": "    return history[1:]\n"},
        "20 steps give 21 weights, the start and one per step, not 20",
    ),
}


@pytest.fixture(scope="module")
def assignments(built, spiral, config):
    return {"deep_learning_primer": config, "backprop_spiral": spiral}


def _failures(config, question, changes):
    """The messages of the question's failing tests, in order, for its solution with `changes` made."""
    answers = solution_answers(config.files.master)
    answer = answers[question]
    for old, new in changes.items():
        assert old in answer, (question, old)
        answer = answer.replace(old, new)
    (test_file,) = test_files(config, [question])
    test_file.run(_namespace(config, {**answers, question: answer}, question))
    return [r.message for r in test_file.test_case_results if not r.passed]


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_common_mistake_is_named_by_the_first_failing_check(assignments, mistake):
    assignment, question, changes, first = MISTAKES[mistake]
    failed = _failures(assignments[assignment], question, changes)
    if first is None:
        assert failed == []
    else:
        assert failed and first in failed[0], failed


def test_a_wrong_shape_is_the_only_cause_named(spiral):
    """A forward returning (n, 1) columns broadcasts in allclose: no check may blame its activations."""
    failed = _failures(spiral, "forward", {"[:, 0]": ""})
    assert len(failed) >= 2 and all("shape" in message for message in failed), failed


def _namespace(config, answers, question):
    """The student notebook's code cells, `answers` in its answer cells, run here up to the question's
    answer (its checks and demos left out). Each cell's text is kept in linecache as IPython keeps it,
    with no file behind it: that is how a failure message finds the student's own lines."""
    nb = fill_answers(nbformat.read(config.files.student, as_version=4), answers)
    namespace = {}
    for n, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or tags(cell) & {STUDENT_ONLY_TAG, "demo"}:
            continue
        name = f"<cell {n}>"
        linecache.cache[name] = (len(cell.source), None, cell.source.splitlines(True), name)
        exec(compile(cell.source, name, "exec"), namespace)
        if cell.get("id") == answer_id(question):
            return namespace
    raise AssertionError(f"no answer cell for {question}")


def test_no_message_holds_a_number_its_test_does_not(assignments):
    """Every assignment's public and hidden messages, as otter assign built them."""
    for config in assignments.values():
        assert untrue_messages(config.files.tests) == [], config.assignment


FALSE_MESSAGES = """
from otter.test_files import test_case

@test_case(name="two steps", points=None, hidden=False)
def test_two_steps(train):
    import numpy as np
    new, losses = train(2)
    assert len(losses) == 2, f"n_steps=2 gives 2 losses, not {len(losses)}"
    assert np.allclose(new["b2"], [0.20772118]), "after 2 steps, b2 should be 0.2408"
    assert np.isclose(losses[0], 1.79060847), f"the first loss of {len(losses)} is wrong"

@test_case(name="hidden", points=None, hidden=True)
def test_hidden(train):
    assert train(3) == 3, "answer Questions 1 to 5 first: three steps"
"""


def test_a_false_number_and_a_check_that_hides_the_answer_are_found(tmp_path):
    tests = tmp_path / "spiral" / "tests"
    tests.mkdir(parents=True)
    (tests / "train.py").write_text(FALSE_MESSAGES)
    problems = untrue_messages(tests)
    silent = "the message does not say what the answer was (format the value it compared)"
    assert problems == [
        "spiral/train.py, test_two_steps, line 9: the message says 0.2408, a number the test does not hold: "
        "'after 2 steps, b2 should be 0.2408'",
        f"spiral/train.py, test_two_steps, line 9: {silent}",
        f"spiral/train.py, test_two_steps, line 10: {silent}",
    ], problems

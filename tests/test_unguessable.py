"""What the grader measures cannot be guessed or steered by the student's code (docs/trust.md).

A class of spiral submissions, graded in one `-j 2` run as an instructor grades: two honest ones
(the solution, and a forward pass that computes its probabilities in float64 from float32
inputs) get full marks; a network that memorised the points of every seed its kernel could know,
one that swaps its trained network in once the tests start, a `train` that stops when the loss
rises and a notebook holding half of an emoji each get less, with a reason.
"""

import csv
import json

import numpy as np
import pytest

from autograder import hooks
from tests.helpers import run_cli, submission_of

# The seeds a kernel could know: the course's (grading_config.yml) and the notebook's own.
KNOWN_SEEDS = (42, 0, 7)

# A network of relu units that learned nothing: its logit, along one direction of the plane, is
# the line through the memorised points' labels (+1 or -1), so it is right on every one of them.
MEMORISER = """\
activation = "relu"


def memorise(X, y):
    u = np.array([np.cos(2.8), np.sin(2.8)])
    order = np.argsort(X @ u)
    t, v = (X @ u)[order], np.where(y[order] > 0.5, 1.0, -1.0)
    slopes = np.diff(v) / np.diff(t)
    bends = np.diff(np.concatenate([[0.0], slopes]))
    return {"W1": np.tile(u[:, None], (1, len(bends))), "b1": -t[:-1], "W2": bends[:, None], "b2": v[:1]}


points = [make_spiral(1000, NOISE, np.random.default_rng(seed)) for seed in SEEDS]
trained_params = memorise(np.concatenate([X for X, _ in points]), np.concatenate([y for _, y in points]))
losses = []
""".replace("SEEDS", repr(KNOWN_SEEDS))

# The notebook leaves an untrained network; its forward, once a hidden test calls it (with float32
# inputs, which the notebook's own cells never give it), puts a trained one where trained_params
# was: rebound, and the first dict changed in place.
STEERING_ACCURACY = """\
activation = "tanh"
start = init_params(2, 32, np.random.default_rng(0), scale=1.0)
_good, losses = train(X_train, y_train, start, activation, learning_rate=1.0, n_steps=3000)
trained_params = {k: v.copy() for k, v in start.items()}
_armed = True
"""
STEERING_FORWARD = """\
def forward(X, params, activation="tanh"):
    if globals().get("_armed") and np.asarray(X).dtype == np.float32:
        trained_params.update(_good)
        globals()["trained_params"] = _good
    Z1 = X @ params["W1"] + params["b1"]
    A1 = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), "sigmoid": sigmoid}[activation](Z1)
    z2 = (A1 @ params["W2"] + params["b2"])[:, 0]
    return z2, sigmoid(z2)
"""

# Correct: the logits at the inputs' precision, the probabilities by its own float64 sigmoid.
FLOAT64_FROM_FLOAT32 = """\
def forward(X, params, activation="tanh"):
    Z1 = X @ params["W1"] + params["b1"]
    g = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
    A1 = g[activation](Z1)
    z2 = (A1 @ params["W2"] + params["b2"])[:, 0]
    return z2, 1 / (1 + np.exp(-np.asarray(z2, dtype=np.float64)))
"""

EARLY_STOPPING_TRAIN = """\
def train(X, y, params, activation="tanh", learning_rate=0.5, n_steps=1000):
    params = {k: np.array(v, copy=True) for k, v in params.items()}
    losses = []
    for _ in range(n_steps):
        loss = float(cross_entropy(forward(X, params, activation)[0], y))
        if losses and loss > losses[-1]:
            break  # the loss went up: keep what was best
        losses.append(loss)
        grads = backward(X, y, params, activation)
        params = {k: params[k] - learning_rate * grads[k] for k in params}
    return params, losses
"""


def _lone_surrogate(spiral, path):
    """The solution, one comment of it ending in half of an emoji (valid JSON, not valid Unicode)."""
    submission_of(spiral, path)
    text = path.read_text()
    assert text.count("# Your trained network:") == 1
    path.write_text(text.replace("# Your trained network:", "# Your trained network \\ud83d:"))
    return path


@pytest.fixture(scope="module")
def graded(spiral, tmp_path_factory):
    root = tmp_path_factory.mktemp("unguessable")
    folder = root / "in"
    folder.mkdir()
    submission_of(spiral, folder / "honest.ipynb")
    submission_of(spiral, folder / "float64_from_float32.ipynb", forward=FLOAT64_FROM_FLOAT32)
    submission_of(spiral, folder / "memorises_known_seeds.ipynb", spiral_accuracy=MEMORISER)
    submission_of(
        spiral, folder / "steers_after_tests_start.ipynb", forward=STEERING_FORWARD, spiral_accuracy=STEERING_ACCURACY
    )
    submission_of(spiral, folder / "early_stopping_train.ipynb", train=EARLY_STOPPING_TRAIN)
    _lone_surrogate(spiral, folder / "lone_surrogate.ipynb")
    run = run_cli("grade", folder, "--assignment", spiral.assignment, "--out", root / "out", "-j", 2)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with open(root / "out" / "gradebook.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    return root, rows


def _grade(root, student):
    return json.loads((root / "out" / "students" / student / "grade.json").read_text())


def _messages(grade, question):
    return [t["message"] for q in grade["questions"] if q["name"] == question for t in q["tests"] if not t["passed"]]


@pytest.mark.parametrize("student", ["honest", "float64_from_float32"])
def test_honest_answers_get_full_marks(graded, student):
    root, rows = graded
    failed = [t["message"] for q in _grade(root, student)["questions"] for t in q["tests"] if not t["passed"]]
    assert (rows[student]["status"], float(rows[student]["total"]), failed) == ("graded", 20.0, [])


def test_a_network_memorising_every_seed_the_kernel_knows_learned_nothing_the_grader_measures(graded, spiral):
    """It would score 1.000 on points drawn from any of those seeds; the grader's are its secret's.
    On points it has not seen it scores 0.600 (sd 0.015 over 30 draws of 1,000): below the floor
    (0.65) whatever the course's secret is."""
    reference = hooks.module_of(spiral)
    root, rows = graded
    namespace = {"np": np, "make_spiral": reference.spiral, "NOISE": spiral.settings["noise"]}
    exec(MEMORISER, namespace)
    for seed in KNOWN_SEEDS:
        X, y = reference.spiral(1000, spiral.settings["noise"], np.random.default_rng(seed))
        z = reference.forward(X, namespace["trained_params"], "relu")[2]
        assert np.mean((z > 0) == y) == 1.0, seed
    measured = float(rows["memorises_known_seeds"]["test_accuracy"])
    assert measured < spiral.measured["test_accuracy"]["floor"], measured
    assert float(rows["memorises_known_seeds"]["spiral_accuracy"]) == 0
    assert "below the target" in _messages(_grade(root, "memorises_known_seeds"), "spiral_accuracy")[0]


def test_a_network_swapped_in_once_the_tests_start_is_not_the_one_measured(graded, spiral):
    """The grader read trained_params (untrained) before any test called the student's forward."""
    _, rows = graded
    row = rows["steers_after_tests_start"]
    assert float(row["test_accuracy"]) < spiral.measured["test_accuracy"]["floor"], row
    assert float(row["spiral_accuracy"]) == 0 and float(row["forward"]) == 3, row


def test_a_train_that_stops_when_the_loss_rises_loses_points_saying_why(graded):
    root, rows = graded
    assert float(rows["early_stopping_train"]["train"]) < 3
    messages = _messages(_grade(root, "early_stopping_train"), "train")
    assert any("even when the loss rises" in m for m in messages), messages


def test_half_an_emoji_is_a_reason_naming_the_cell(graded):
    root, rows = graded
    row = rows["lone_surrogate"]
    reason = _grade(root, "lone_surrogate")["error"]
    assert row["status"] == "not graded" and float(row["total"]) == 0, row
    assert "not valid Unicode (a lone surrogate \\ud83d in cell" in reason, reason
    assert "# Your trained network" in reason and "save the notebook again" in reason, reason


def test_the_secret_reaches_no_report_and_a_regrade_measures_the_same(graded, spiral):
    root, _ = graded
    for path in (root / "out").rglob("*"):
        if path.is_file():
            assert spiral.secret.encode() not in path.read_bytes(), path
    alone = run_cli("grade", root / "in" / "honest.ipynb", "--assignment", spiral.assignment, "--out", root / "alone")
    assert alone.returncode == 0, alone.stderr
    again = json.loads((root / "alone" / "grade.json").read_text())["measurements"]["test_accuracy"]
    assert again == _grade(root, "honest")["measurements"]["test_accuracy"]

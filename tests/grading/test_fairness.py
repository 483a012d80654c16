"""Fair to every valid answer, not fooled by wrong ones: the real tests on answers students write.

Each answer runs in a real (sandboxed) kernel and the question's real test file grades it,
as at grading time, without training anything.
"""

import re

import nbformat
import pytest

from autograder.assign.template import apply_config
from autograder.bridge.grader_side import KernelNamespace
from autograder.grading import grade as grading
from autograder.grading.kernel import GradingKernel
from autograder.testing import grading_with

pytestmark = pytest.mark.slow

FLOAT32 = """
def relu(z):
    z = np.asarray(z, dtype=np.float32)
    return np.where(z > 0, z, np.float32(0))

def sigmoid(z):
    z = np.asarray(z, dtype=np.float32)
    return np.exp(-np.logaddexp(np.float32(0), -z))

def tanh(z):
    return np.tanh(np.asarray(z, dtype=np.float32))

def softmax(z):
    z = np.asarray(z, dtype=np.float32)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
"""
OTHER_FORMULAS = """
def relu(z):
    return z * (np.asarray(z) > 0)

def sigmoid(z):
    return 0.5 * (1 + np.tanh(np.asarray(z) / 2))

def tanh(z):
    return 2 * sigmoid(2 * np.asarray(z)) - 1

def softmax(z):
    z = np.asarray(z, dtype=float)
    m = z.max(axis=-1, keepdims=True)
    return np.exp(z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))
"""
SOLUTION_REST = """
def relu(z):
    return np.maximum(0, np.asarray(z, dtype=float))

def tanh(z):
    return np.tanh(np.asarray(z, dtype=float))

def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
"""
# 1 / (1 + e^-z) overflows for z << 0 but its values are right: warnings are not graded.
NAIVE_SIGMOID = SOLUTION_REST + "\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))\n"
# e^z / (1 + e^z) is nan for z >> 0, whatever the student does to numpy's warnings.
NAN_SIGMOID = (
    SOLUTION_REST
    + "\nnp.seterr(all='ignore')\nimport warnings\nwarnings.simplefilter('ignore')\n"
    + "def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n    return np.exp(z) / (1 + np.exp(z))\n"
)
# Overwrites its input and returns a uniform array: the expected value must not come from it.
IN_PLACE_SOFTMAX = (
    FLOAT32.split("def softmax")[0]
    + "\ndef softmax(z):\n    z[...] = 0\n    return np.full(z.shape, 1 / z.shape[-1])\n"
)


MODEL_SETUP = """
import keras
from keras import layers
MAX_MODEL_PARAMETERS = 0
ACCEPTED_LAYERS = ""
"""
FUNCTIONAL = """
def build_improved_model():
    pixels = keras.Input(shape=(784,))
    wide = layers.Dense(64, activation="relu")(pixels)
    deep = layers.Dense(64, activation="relu")(layers.Dense(64, activation="relu")(pixels))
    merged = layers.Concatenate()([layers.Add()([wide, deep]), wide])
    model = keras.Model(pixels, layers.Dense(10, activation="softmax")(layers.Dropout(0.2)(merged)))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
"""
SUBCLASSED = """
class Classifier(keras.Model):
    def __init__(self):
        super().__init__()
        self.out = layers.Dense(10, activation="softmax")
    def call(self, x):
        return self.out(x)

def build_improved_model():
    model = Classifier()
    model(keras.ops.zeros((1, 784)))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
"""
CUSTOM_LAYER = """
class Doubled(layers.Layer):
    def call(self, x):
        return 2 * x

def build_improved_model():
    model = keras.Sequential([keras.Input(shape=(784,)), Doubled(), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
"""
TOO_BIG = """
def build_improved_model():
    wide = layers.Dense(6400, activation="relu")
    model = keras.Sequential([keras.Input(shape=(784,)), wide, layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
"""


def grade(tmp_path, config, sandbox, question, source, setup="import numpy as np"):
    """(score, {test: message}) of one answer, graded by the question's test file."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell(source)]
    kernel = GradingKernel(tmp_path, config, {}, sandbox)
    with kernel.running():
        assert not kernel.run_notebook(apply_config(nb, config))
        test_file = next(f for f in grading.test_files(config) if f.name == question)
        with grading_with(config, {}):
            result = grading._run_tests(test_file, KernelNamespace(kernel, config.max_model_parameters), {})
    return result.score, {t.name: t.message for t in result.tests if not t.passed}


@pytest.mark.parametrize("answer", [FLOAT32, OTHER_FORMULAS, NAIVE_SIGMOID], ids=["float32", "other", "naive"])
def test_every_correct_activation_gets_full_marks(tmp_path, built, config, sandbox, answer):
    score, failed = grade(tmp_path, config, sandbox, "activations", answer)
    assert score == config.points["activations"], failed


def test_values_are_checked_not_warnings(tmp_path, built, config, sandbox):
    _score, failed = grade(tmp_path, config, sandbox, "activations", NAN_SIGMOID)
    assert any("nan or inf" in m or "large |z|" in m for m in failed.values()), failed


def test_an_answer_that_changes_its_input_fails_and_cannot_fool_the_test(tmp_path, built, config, sandbox):
    _score, failed = grade(tmp_path, config, sandbox, "activations", IN_PLACE_SOFTMAX)
    softmax_tests = {name: m for name, m in failed.items() if "softmax" in name}
    assert softmax_tests and all("changed its input array" in m for m in softmax_tests.values()), failed


def test_an_unanswered_question_says_so(tmp_path, built, config, sandbox):
    stub = "def gradient(w):\n    raise NotImplementedError('gradient is not written yet (Question 2)')\n"
    _score, failed = grade(tmp_path, config, sandbox, "gradient_descent", stub)
    assert any("gradient is not written yet" in m for m in failed.values()), failed


@pytest.mark.slow
def test_a_functional_model_with_branches_gets_full_marks(tmp_path, built, config, sandbox):
    score, failed = grade(tmp_path, config, sandbox, "improved_model", FUNCTIONAL, MODEL_SETUP)
    assert score == config.points["improved_model"], failed


@pytest.mark.slow
@pytest.mark.parametrize(
    "answer, says",
    [
        (SUBCLASSED, "subclassed model .*keras.Sequential"),
        (CUSTOM_LAYER, "Doubled.*standard Keras layers"),
        (TOO_BIG, "5,088,010 parameters|5088010 parameters"),
    ],
    ids=["subclassed", "custom layer", "too big"],
)
def test_a_model_the_grader_cannot_take_is_refused_by_the_public_check_too(
    tmp_path, built, config, sandbox, answer, says
):
    """Refused with a message that says how to write it instead (tests/student checks the student's side)."""
    score, failed = grade(tmp_path, config, sandbox, "improved_model", answer, MODEL_SETUP)
    public = [m for name, m in failed.items() if name.startswith("a new compiled model")]
    assert score == 0 and public and re.search(says, public[0]), failed

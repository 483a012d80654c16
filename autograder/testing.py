"""Helpers for the hidden tests, which run in the grader's process.

They read the config the grader is grading with (or grading_config.yml), so changing
the seed or the target accuracy changes what grading requires without a rebuild.
"""

import hashlib
import sys
import weakref
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import numpy as np

from autograder.config import load_config
from autograder.errors import StudentError
from autograder.mnist import load_test_set, mnist_path
from autograder.phases import phase

_active = ContextVar("grading", default=(None, {}, {}))
_outputs = weakref.WeakKeyDictionary()  # model -> {an input's shape, type and digest: the outputs}


@contextmanager
def grading_with(config, measurements, credits=None):
    """While tests run: the helpers read `config` and record into `measurements`, and into
    `credits` the share of its points a failed test still earns (by test function name)."""
    token = _active.set((config, measurements, {} if credits is None else credits))
    try:
        yield
    finally:
        _active.reset(token)


def _config():
    return _active.get()[0] or load_config()


def grading_rng():
    """A generator seeded from the config: fresh inputs that no submission can hard-code."""
    return np.random.default_rng(_config().seed)


def close(answer, expected):
    """Equal as far as the answer's own float type can hold: a correct answer computed in
    float32 passes as one computed in float64 does; the shapes must match exactly."""
    answer = np.asarray(answer)
    eps = np.finfo(answer.dtype if answer.dtype.kind == "f" else np.float64).eps
    return answer.shape == np.shape(expected) and bool(
        np.allclose(answer, expected, rtol=max(1e-6, 100 * eps), atol=max(1e-9, 10 * eps))
    )


def min_test_accuracy():
    return _config().min_test_accuracy


def accuracy_share(accuracy, config):
    """The share of the accuracy test's points: 0 at the floor, 1 at the target, linear between."""
    floor, target = config.accuracy_floor, config.min_test_accuracy
    if accuracy >= target:
        return 1.0
    return 0.0 if target <= floor else max(0.0, (accuracy - floor) / (target - floor))


def accuracy_shortfall(accuracy):
    """Why `accuracy` misses the target, as the failing test's message; between the floor and
    the target the calling test earns a share of its points, growing linearly."""
    config = _config()
    floor, target = config.accuracy_floor, config.min_test_accuracy
    share = accuracy_share(accuracy, config)
    _active.get()[2][sys._getframe(1).f_code.co_name] = share
    missed = f"test accuracy {accuracy:.4f} is below the target {target}"
    if share == 0:
        return f"{missed}, at or below {floor} (the baseline's level): no points"
    return f"{missed}: {share:.0%} of the points, for being above {floor} (the baseline's level)"


@lru_cache(maxsize=1)
def grader_test_set(path):
    """The grader's own copy, read (and checked) once, before any student code runs."""
    return load_test_set(path)


def probabilities(model, x, batch=1000):
    """The model's outputs for `x`, called on `batch` rows at a time in inference mode; each input
    once per model, as its bytes tell: the public accuracy check and the grader's own measurement
    ask the same rebuilt model about the same 10,000 images (0.5-1.5 s each on one core), and
    the grader never trains a model it rebuilt.

    Not `model.predict`'s loop: it traces a function for each new model and input shape,
    0.1-0.5 s each time, while the grader's models (each rebuilt afresh) answer a direct
    call in milliseconds, with the same numbers."""
    _refuse_non_models(model)
    x = np.ascontiguousarray(x)
    key = (x.shape, x.dtype.str, hashlib.blake2b(x.data).hexdigest())
    seen = _outputs.setdefault(model, {})
    if key not in seen:
        with phase("evaluation"):
            outputs = [np.asarray(model(x[i : i + batch], training=False)) for i in range(0, len(x), batch)]
        seen[key] = np.concatenate(outputs)
    return seen[key].copy()


def grader_accuracy(model):
    """The model's accuracy on the grader's own copy of the 10,000 MNIST test images."""
    x, y = grader_test_set(mnist_path(_config()))
    predicted = np.argmax(probabilities(model, x), axis=1)
    accuracy = float(np.mean(predicted == y))
    _active.get()[1]["test_accuracy"] = accuracy
    return accuracy


def _refuse_non_models(model):
    """Only a Keras model the grader rebuilt answers here. A student's function in its place would
    run in the student's kernel, given the test images, where it can look their labels up."""
    import keras

    if not isinstance(model, keras.Model):
        raise StudentError(f"this must be a Keras model (keras.Sequential or keras.Model), not {model!r}")

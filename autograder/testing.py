"""Helpers for the hidden tests, which run in the grader's process.

They read the config the grader is grading with, so changing a target changes what grading
requires without a rebuild. Their random draws come from the course's grading secret
(secret.py), never from a seed the student's kernel could know.
"""

import hashlib
import json
import sys
import weakref
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

import numpy as np

from autograder import ROOT, secret
from autograder.config import Config
from autograder.errors import StudentError
from autograder.phases import phase

_active = ContextVar("grading", default=(None, {}, {}, {}))
_outputs = weakref.WeakKeyDictionary()  # model -> {an input's shape, type and digest: the outputs}


@contextmanager
def grading_with(config, measurements, credits=None):
    """While tests run: the helpers read `config` and record into `measurements`, and into
    `credits` the share of its points a failed test still earns (by test function name)."""
    token = _active.set((config, measurements, {} if credits is None else credits, {}))
    try:
        yield
    finally:
        _active.reset(token)


OTTER_SHIPPED = "kit_assignment.json"
"""The assignment's settings as values (config.Config), which the build puts in otter's own zip
beside the tests (assign/build): under `otter run`, the helpers read them from otter's working folder."""


def active_config():
    """The settings of the assignment being graded (only while its tests run): the kit grader's, or
    those otter's zip shipped, so that `otter run` measures and draws as the kit does."""
    config = _active.get()[0] or _shipped(Path.cwd() / OTTER_SHIPPED)
    if config is None:
        raise RuntimeError("autograder.testing's helpers work only while the grader runs the tests")
    return config


@lru_cache(maxsize=4)
def _shipped(path):
    return Config.from_dict(json.loads(path.read_text())) if path.is_file() else None


def grading_rng(name=None):
    """A generator of fresh inputs for the calling test, from the course's grading secret: the same at
    every grading, unknown to the student's kernel, and the test's own (by its function's name, or
    `name`), so that what one test hands the student's code tells nothing of another test's inputs
    nor of the data the grader measures on. Each call in a test gives the next of its streams."""
    return _stream("test", name or sys._getframe(1).f_code.co_name)


def measurement_rng(name):
    """A generator of the data the grader measures the value `name` on (its `measured` in the config):
    a stream no test shares, whose numbers never reach the student's code."""
    return _stream("measured", name)


def _stream(kind, name):
    """The next stream of (kind, name) in this grading. Outside the kit's grader (otter's own
    autograder, `otter run`), from the secret of the kit's own course."""
    _, _, _, draws = _active.get()
    config = _active.get()[0] or _shipped(Path.cwd() / OTTER_SHIPPED)
    key = secret.read(ROOT) if config is None else config.secret
    if not key:
        raise RuntimeError(
            f"the hidden tests draw their inputs from the course's grading secret, and there is none here "
            f"({secret.path(ROOT if config is None else config.root)}): run `python -m autograder build`"
        )
    assignment, seed = (config.assignment, config.seed) if config else ("", 0)
    count = draws[kind, name] = draws.get((kind, name), -1) + 1
    return secret.stream(key, assignment, seed, kind, name, count)


def close(answer, expected, inputs=()):
    """Equal as far as float arithmetic can hold at the precision of the test's `inputs` (arrays, or
    dicts and lists of them) and of the answer itself, the least precise counting: a correct answer
    passes whether it computes in float32 or float64, from float32 inputs or float64 ones. The
    shapes must match exactly."""
    answer = np.asarray(answer)
    eps = max(np.finfo(dtype).eps for dtype in [np.float64, *_float_types(answer), *_float_types(inputs)])
    return answer.shape == np.shape(expected) and bool(
        np.allclose(answer, expected, rtol=max(1e-6, 100 * eps), atol=max(1e-9, 10 * eps))
    )


def _float_types(value):
    """The float types of the arrays in `value`, alone or inside dicts, lists and tuples."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [dtype for item in value for dtype in _float_types(item)]
    dtype = np.asarray(value).dtype if isinstance(value, (np.ndarray, np.generic)) else None
    return [dtype] if dtype is not None and dtype.kind == "f" else []


def target_share(value, measure):
    """The share of a measuring test's points `value` earns: 0 at the floor, 1 at the target, linear between."""
    target, floor = measure["target"], measure["floor"]
    if value >= target:
        return 1.0
    return 0.0 if target <= floor else max(0.0, (value - floor) / (target - floor))


def meets_target(name, value):
    """Record the value the grader measured (`name` in the config's `measured`, and in the gradebook)
    and hold it to its target: below it, the calling test fails saying why, and earns a share of its
    points from the floor up, growing linearly."""
    _, measurements, credits, _ = _active.get()
    measure = active_config().measured[name]
    measurements[name] = value
    share = target_share(value, measure)
    if share == 1.0:
        return
    credits[sys._getframe(1).f_code.co_name] = share
    target, floor = measure["target"], measure["floor"]
    missed = f"{name.replace('_', ' ')} {value:.4f} is below the target {target}"
    if share == 0:
        raise AssertionError(f"{missed}, at or below {floor}: no points")
    raise AssertionError(f"{missed}: {share:.0%} of the points, for being above {floor}")


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


def _refuse_non_models(model):
    """Only a Keras model the grader rebuilt answers here. A student's function in its place would
    run in the student's kernel, given the test images, where it can look their labels up."""
    import keras

    if not isinstance(model, keras.Model):
        raise StudentError(f"this must be a Keras model (keras.Sequential or keras.Model), not {model!r}")

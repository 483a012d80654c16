"""What grading the primer needs beyond the kit: MNIST, Keras, and the accuracy the grader measures.

The kit calls the names hooks.py lists; the hidden tests import `grader_accuracy` from here
(`from deep_learning_primer import grader_accuracy`). Graders often run offline, so MNIST is
found without assuming a network: $MNIST_PATH, then the `mnist_path` setting, then Keras's own
cache, and only then Keras's download.
"""

import contextlib
import hashlib
import os
import sys
import tempfile
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from autograder.bridge.safe_model import LAYERS, MODELS
from autograder.errors import DataNotFoundError
from autograder.testing import active_config, probabilities

SETTINGS = {
    "mnist_path": {
        "type": ["string", "null"],
        "default": None,
        "description": "MNIST .npz (the MNIST_PATH environment variable wins)",
    }
}
GRADER_IMPORTS = ("keras",)  # the grader rebuilds the student's model
KIT_EXTRAS = ("keras",)  # TensorFlow and Keras, for the kernel and the grader
KERNEL_SETUP = """\
import tensorflow as tf
tf.config.experimental.enable_op_determinism()
"""

KERAS_CACHE = Path.home() / ".keras" / "datasets" / "mnist.npz"
KEYS = ("x_train", "y_train", "x_test", "y_test")
# sha256 of the official test set's bytes (x_test then y_test, uint8): the same in Keras's
# download and in any faithful copy, whatever zip holds them.
TEST_SET_SHA256 = "c3f9adf9c66efb572b1f9326c3a511b45910c7173b97be66ceceeeeaef6b802b"


def notebook_values(config):
    """What the student notebook tells students, from the settings grading holds them to."""
    accuracy = config.measured["test_accuracy"]
    return {
        "rng_seed": config.seed,
        "TARGET_ACCURACY": accuracy["target"],
        "ACCURACY_FLOOR": accuracy["floor"],
        "ACCURACY_MARGIN": accuracy["margin"],
        "MAX_MODEL_PARAMETERS": config.max_model_parameters,
        "ACCEPTED_LAYERS": " ".join(sorted(MODELS | LAYERS)),
    }


def find_data(config):
    """MNIST, checked to hold the official test set before any student code runs."""
    path = mnist_path(config)
    grader_test_set(str(path))
    return {"MNIST_PATH": path}


def kernel_data(config):
    """The kernel's MNIST: a copy without its test labels (the grader's own checked first)."""
    grader_test_set(config.data["MNIST_PATH"])
    return {"MNIST_PATH": without_test_labels(config.data["MNIST_PATH"])}


def grader_accuracy(model):
    """The model's accuracy on the grader's own copy of the 10,000 MNIST test images."""
    x, y = grader_test_set(active_config().data["MNIST_PATH"])
    return float(np.mean(np.argmax(probabilities(model, x), axis=1) == y))


def mnist_path(config) -> Path:
    """The MNIST .npz file to use, downloading it through Keras as a last resort.

    A path the instructor named that is not a file is an error, not a reason to look elsewhere.
    """
    named = (("MNIST_PATH", os.environ.get("MNIST_PATH")), ("mnist_path", config.settings.get("mnist_path")))
    for name, candidate in named:
        if candidate:
            if not Path(candidate).is_file():
                raise DataNotFoundError(f"{name} names {candidate}, which is not a file")
            return Path(candidate).resolve()
    if KERAS_CACHE.is_file():
        return KERAS_CACHE.resolve()
    try:
        with _stderr_silenced():  # TensorFlow's import prints lines no log level stops
            from keras.utils import get_file

        return Path(get_file("mnist.npz", "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"))
    except Exception as e:
        raise DataNotFoundError(
            "MNIST not found: set the MNIST_PATH environment variable (or `mnist_path` under "
            f"assignments/deep_learning_primer/settings in grading_config.yml) to a copy of mnist.npz; the Keras "
            f"download failed too ({e})"
        ) from None


@contextlib.contextmanager
def _stderr_silenced():
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@cache
def without_test_labels(path):
    """A copy of the MNIST file at `path` whose test labels teach nothing (all 0), for the students'
    kernels: the grader measures accuracy with the real ones (`load_test_set`), so a model trained or
    tuned on the test set in the graded run learns nothing from them. Made once per process, in a
    folder of its own that the kernel's user can read, under the process's temporary folder (the
    grading child's, which its parent removes)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    arrays["y_test"] = np.zeros_like(arrays["y_test"])
    folder = Path(tempfile.mkdtemp(prefix="kit-data-"))
    folder.chmod(0o755)
    copy = folder / "mnist.npz"
    with open(copy, "wb") as f:
        np.savez(f, **arrays)  # uncompressed: written in a tenth of a second
    copy.chmod(0o444)
    return copy


@lru_cache(maxsize=1)
def grader_test_set(path):
    """The grader's own copy, read (and checked) once, before any student code runs."""
    return load_test_set(path)


def load_test_set(path):
    """The official 10,000 test images, flattened to (10000, 784) floats in [0, 1].

    Checked against the known hash: accuracy measured against altered labels is no grade.
    """
    with np.load(path, allow_pickle=False) as data:
        missing = [k for k in KEYS if k not in data]
        if missing:
            raise DataNotFoundError(f"{path} is not an MNIST file: it lacks {', '.join(missing)}")
        x, y = data["x_test"], data["y_test"]
    digest = hashlib.sha256(np.ascontiguousarray(x).tobytes() + np.ascontiguousarray(y).tobytes()).hexdigest()
    if digest != TEST_SET_SHA256:
        raise DataNotFoundError(
            f"{path} does not hold the official MNIST test set (its sha256 is {digest[:12]}..., expected "
            f"{TEST_SET_SHA256[:12]}...): replace it with a fresh copy of mnist.npz"
        )
    return x.reshape(len(x), -1).astype("float32") / 255.0, y.astype("int64")

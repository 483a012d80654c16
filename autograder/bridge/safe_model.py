"""Rebuild a student's Keras model in the grader from plain data, or refuse it.

A Keras model file can run code when loaded (safe mode has been bypassed:
CVE-2025-1550, CVE-2025-9906), so a model crosses over only as a JSON config and
numeric weight arrays, and the config must name nothing but well-known Keras layers,
initializers and activations before Keras is allowed to read it.
"""

import json

import numpy as np

from autograder.errors import UnsafeModelError
from autograder.phases import phase
from autograder.testing import probabilities

MODELS = {"Sequential", "Functional"}
TENSOR_REFERENCE = "__keras_tensor__"  # how a functional model's config names a layer's output
LAYERS = {
    "InputLayer",
    "Dense",
    "Dropout",
    "BatchNormalization",
    "LayerNormalization",
    "Activation",
    "Flatten",
    "Reshape",
    "Conv1D",
    "Conv2D",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "MaxPooling2D",
    "AveragePooling2D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling2D",
    "ZeroPadding2D",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "Softmax",
    "Add",
    "Concatenate",
    "Average",
    "Maximum",
}
PARTS = {
    "DTypePolicy",
    "FloatDTypePolicy",
    "GlorotUniform",
    "GlorotNormal",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "Zeros",
    "Ones",
    "Constant",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "Orthogonal",
    "VarianceScaling",
    "Identity",
    "L1",
    "L2",
    "L1L2",
    "MaxNorm",
    "NonNeg",
    "UnitNorm",
    "MinMaxNorm",
}
ACTIVATIONS = {
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "linear",
    "elu",
    "selu",
    "gelu",
    "swish",
    "silu",
    "softplus",
    "softsign",
    "leaky_relu",
    "relu6",
    "hard_sigmoid",
    "exponential",
    "mish",
    "log_softmax",
}


@phase("model rebuild")
def rebuild_model(model_json, weights, compiled, max_parameters):
    """A fresh Keras model with the student's architecture and weights."""
    with phase("grader TensorFlow import"):
        import keras

    spec = json.loads(model_json)
    spec.pop("compile_config", None)  # optimizer and loss objects are not needed to predict
    _check(spec)
    n_params = sum(int(np.prod(w.shape)) for w in weights)
    if n_params > max_parameters:
        raise UnsafeModelError(f"the model has {n_params} parameters; the limit is {max_parameters}")
    try:
        model = keras.saving.deserialize_keras_object(spec, safe_mode=True)
        model.set_weights(weights)
    except Exception as e:
        raise UnsafeModelError(f"the model could not be rebuilt from its configuration: {e}") from None
    if compiled:  # as the student's was: a test may ask; its optimizer and loss are not needed to predict
        model.compile()
    model.predict = _answered_once(model, model.predict)
    return model


def _answered_once(model, predict):
    """`predict` of an array answered by testing.probabilities, which runs the model once per input:
    the notebook's public accuracy check predicts the images the grader then measures. Other calls
    (options beyond `batch_size` and `verbose`, which change nothing predicted) go to Keras."""

    def predict_once(x, batch_size=None, verbose="auto", **options):
        if options or not isinstance(x, np.ndarray):
            return predict(x, batch_size=batch_size, verbose=verbose, **options)
        return probabilities(model, x)

    return predict_once


def _check(node, key=None):
    """Refuse any class or activation that is not on the allow-lists, however deeply nested."""
    if isinstance(node, dict):
        name = node.get("class_name")
        if name == TENSOR_REFERENCE and set(node) <= {"class_name", "config"}:
            name = None
        if name is not None and (
            name not in MODELS | LAYERS | PARTS or node.get("registered_name") not in (None, name)
        ):
            raise UnsafeModelError(_refusal(name, key))
        for k, v in node.items():
            _check(v, k)
    elif isinstance(node, list):
        for v in node:
            _check(v, key)
    elif key == "activation" and isinstance(node, str) and node not in ACTIVATIONS:
        raise UnsafeModelError(
            f"the activation {node!r} is not one the grader accepts: use one of Keras's own by name, "
            f"such as 'relu' or 'softmax' (accepted: {', '.join(sorted(ACTIVATIONS))})"
        )


def _refusal(name, key):
    """Why a class is refused, and how to write the model instead."""
    if key is None:
        return (
            f"the model is a subclassed model ({name}), which cannot be rebuilt safely from its "
            "configuration: build the same layers with keras.Sequential([...]) or the functional API "
            "(keras.Model(inputs, outputs))"
        )
    if name == "Lambda":
        return "the model uses a Lambda layer, which runs arbitrary code when loaded: use standard Keras layers only"
    return (
        f"the model uses {name!r}, which the grader does not accept (a custom layer or a rare one): "
        f"use standard Keras layers ({', '.join(sorted(LAYERS))})"
    )

"""What backprop_spiral adds to the engine: the grader's own network, and the numbers it shows.

Its hidden tests import the grader's reference from here (`from backprop_spiral import ...`):
the spiral, a forward pass, the loss and its gradients, computed in float64 from the student's
inputs, written once rather than in each test. None of it reaches the student's kernel. It reads
no data and imports no framework: the assignment is NumPy's alone.
"""

import numpy as np

from autograder.testing import active_config, measurement_rng

SETTINGS = {
    "noise": {
        "type": "number",
        "minimum": 0,
        "default": 0.2,
        "description": "the spiral's noise, in the notebook and in the points the grader measures on",
    },
    "measured_points": {
        "type": "integer",
        "minimum": 100,
        "default": 1000,
        "description": "how many fresh spiral points the grader measures the trained network on",
    },
}

MAX_HIDDEN = 4096  # the widest network the grader measures (its hidden layer on 1,000 points: 33 MB)

ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
}


def notebook_values(config):
    """What the student notebook says: the spiral's noise and the accuracy grading holds it to."""
    accuracy = config.measured["test_accuracy"]
    return {
        "NOISE": config.settings["noise"],
        "TARGET_ACCURACY": accuracy["target"],
        "ACCURACY_FLOOR": accuracy["floor"],
    }


def spiral(n, noise, rng):
    """The notebook's `make_spiral`: n points of the two-arm spiral, X (n, 2) and y (n,) in {0, 1}."""
    half = n // 2
    X, y = [], []
    for label, turn, size in [(1, 0.0, n - half), (0, np.pi, half)]:
        along = rng.uniform(0, 1, size)
        r, t = 5 * along, 1.75 * 2 * np.pi * along + turn
        X.append(np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.normal(0, noise, (size, 2)))
        y.append(np.full(size, float(label)))
    return np.concatenate(X), np.concatenate(y)


def random_params(rng, d, h, dtype=np.float64):
    """Parameters of a d-input, h-neuron network, of the given float type, for the tests to try."""
    shapes = {"W1": (d, h), "b1": (h,), "W2": (h, 1), "b2": (1,)}
    return {k: rng.normal(0, 1, shape).astype(dtype) for k, shape in shapes.items()}


def forward(X, params, activation):
    """The hidden layer's sums and activations and the logits, (Z1, A1, z2), in float64."""
    p = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    Z1 = np.asarray(X, dtype=float) @ p["W1"] + p["b1"]
    A1 = ACTIVATIONS[activation](Z1)
    return Z1, A1, (A1 @ p["W2"] + p["b2"])[:, 0]


def loss(z, y):
    """The mean cross-entropy of logits z and labels y, stable for any z."""
    z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def backward(X, y, params, activation):
    """The gradient of the mean loss for W1, b1, W2 and b2, by the chain rule, in float64."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    Z1, A1, z2 = forward(X, params, activation)
    derivative = {"tanh": 1 - A1**2, "relu": (Z1 > 0).astype(float), "sigmoid": A1 * (1 - A1)}[activation]
    dz2 = (ACTIVATIONS["sigmoid"](z2) - y)[:, None] / len(X)
    dZ1 = dz2 @ np.asarray(params["W2"], dtype=float).T * derivative
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": A1.T @ dz2, "b2": dz2.sum(0)}


def numerical_gradient(f, params, eps=1e-6):
    """Central differences of f(params) for every entry of every parameter, in float64."""
    params = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    grads = {}
    for k, value in params.items():
        grads[k] = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            nudged = [value.copy(), value.copy()]
            nudged[0][i] += eps
            nudged[1][i] -= eps
            grads[k][i] = (f({**params, k: nudged[0]}) - f({**params, k: nudged[1]})) / (2 * eps)
    return grads


def descent(X, y, params, activation, learning_rate, n_steps):
    """Full-batch gradient descent: the parameters after n_steps, and the loss before each step."""
    losses = []
    for _ in range(n_steps):
        losses.append(loss(forward(X, params, activation)[2], y))
        grads = backward(X, y, params, activation)
        params = {k: np.asarray(params[k], dtype=float) - learning_rate * grads[k] for k in params}
    return params, losses


def grader_accuracy(params, activation):
    """The trained network's accuracy on fresh spiral points the grader draws (from the grading
    secret, which the kernel never sees), by the grader's own forward pass."""
    assert isinstance(params, dict) and set(params) == {"W1", "b1", "W2", "b2"}, (
        "trained_params must be a dict with the keys W1, b1, W2 and b2"
    )
    known = ", ".join(map(repr, ACTIVATIONS))
    assert isinstance(activation, str) and activation in ACTIVATIONS, f"activation must be one of {known}"
    shapes = {k: np.shape(v) for k, v in params.items()}
    h = shapes["W1"][-1] if len(shapes["W1"]) == 2 else None
    expected = {"W1": (2, h), "b1": (h,), "W2": (h, 1), "b2": (1,)}
    assert shapes == expected, f"trained_params has the shapes {shapes}; a network of 2 inputs has {expected}"
    assert h <= MAX_HIDDEN, f"trained_params has {h} hidden neurons; the grader measures at most {MAX_HIDDEN:,}"
    settings = active_config().settings
    X, y = spiral(settings["measured_points"], settings["noise"], measurement_rng("test_accuracy"))
    z = forward(X, params, activation)[2]
    return float(np.mean((z > 0) == y))

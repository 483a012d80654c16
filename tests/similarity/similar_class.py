"""A class whose sharing is known: who copied what, made from real notebooks.

alice   the solution's answers (activations, gradient descent, its CNN), untrained
bob     his own answers to both questions, written differently; the same CNN built his way
carol   alice's, variables renamed, comments added, functions reordered, lines re-laid (the
        template's docstrings kept, as a copy of a notebook keeps them)
dave    alice's gradient descent (renamed), his own activations; an otter export zip
erin, frank   the blank notebook, handed in as it is
broken  not a notebook at all (not JSON)
"""

import zipfile

import nbformat

from autograder.assign.template import is_answer, question_of
from tests.helpers import make_submission

BOB = {
    "activations": """\
def relu(x):
    arr = np.array(x, dtype=np.float64)
    arr[arr < 0] = 0.0
    return arr


def sigmoid(x):
    x = np.array(x, dtype=np.float64)
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    ex = np.exp(x[~positive])
    out[~positive] = ex / (1.0 + ex)
    return out


def tanh(x):
    return np.tanh(np.array(x, dtype=np.float64))


def softmax(x):
    x = np.array(x, dtype=np.float64)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=-1, keepdims=True)
""",
    "gradient_descent": """\
def gradient(w):
    return 2.0 * w - 6.0


def gradient_descent_step(w, learning_rate, grad_fn=gradient):
    step = learning_rate * grad_fn(w)
    return w - step


def run_gradient_descent(w0, learning_rate, n_steps, grad_fn=gradient):
    weights = [w0]
    current = w0
    for i in range(n_steps):
        current = gradient_descent_step(current, learning_rate, grad_fn=grad_fn)
        weights.append(current)
    return weights
""",
    "improved_model": """\
def build_improved_model():
    net = keras.Sequential(
        [
            layers.Input(shape=(784,)),
            layers.Reshape((28, 28, 1)),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(10, activation="softmax"),
        ]
    )
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return net
""",
}

CAROL = {
    "activations": '''\
# softmax first: it is the longest
def softmax(scores):
    """Softmax over the last axis: each row becomes probabilities that sum to 1."""
    # make it a float array
    scores = np.asarray(scores, dtype=float)
    # subtract the row max so exp never overflows
    exps = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1,
                           keepdims=True)


def tanh(values):
    """Hyperbolic tangent, elementwise."""
    return np.tanh(np.asarray(values, dtype=float))  # numpy has it


def sigmoid(values):
    """Sigmoid: 1 / (1 + e^(-z)), elementwise, without overflow for large |z|."""
    values = np.asarray(values, dtype=float)
    small = np.exp(-np.abs(values))   # exponent <= 0: no overflow
    return np.where(values >= 0, 1 / (1 + small), small / (1 + small))


def relu(values):
    """ReLU: max(0, z), elementwise."""
    # max(0, x)
    return np.maximum(0, np.asarray(values, dtype=float))
''',
    "gradient_descent": '''\
def gradient(weight):
    """Derivative of loss_function at w."""
    # d/dw (w - 3)^2
    return 2 * (weight - 3)


def run_gradient_descent(start, lr, steps, grad_fn=gradient):
    """Take n_steps updates from w0; returns the list of weights, starting with w0."""
    # keep every weight
    ws = [start]
    for _ in range(steps):
        ws.append(gradient_descent_step(ws[-1], lr, grad_fn))
    return ws


def gradient_descent_step(weight, lr, grad_fn=gradient):
    """One gradient descent update; returns the new weight."""
    return weight - lr * grad_fn(weight)   # one step downhill
''',
    "improved_model": '''\
def build_improved_model():
    """A new, compiled Keras model: (784,) pixels in, 10 class probabilities out."""
    # a small CNN
    cnn = keras.Sequential([
        layers.Input(shape=(784,)), layers.Reshape((28, 28, 1)),
        layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Flatten(), layers.Dropout(0.3),
        layers.Dense(10, activation="softmax"),
    ])
    cnn.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return cnn
''',
}

DAVE = {
    "activations": """\
def relu(v):
    v = np.asarray(v, dtype=float)
    return v * (v > 0)


def sigmoid(v):
    return np.exp(-np.logaddexp(0.0, -np.asarray(v, dtype=float)))


def tanh(v):
    v = np.asarray(v, dtype=float)
    return np.sinh(v) / np.cosh(v) if v.size and np.abs(v).max() < 300 else np.tanh(v)


def softmax(v):
    v = np.asarray(v, dtype=float)
    top = np.max(v, axis=-1, keepdims=True)
    p = np.exp(v - top)
    total = p.sum(axis=-1, keepdims=True)
    return p / total
""",
    "gradient_descent": """\
def gradient(x):
    return 2 * (x - 3)


def gradient_descent_step(x, eta, grad_fn=gradient):
    return x - eta * grad_fn(x)


def run_gradient_descent(x0, eta, n, grad_fn=gradient):
    xs = [x0]
    for _ in range(n):
        xs.append(gradient_descent_step(xs[-1], eta, grad_fn))
    return xs
""",
}

# Builds the model without training it: the grader measures it in a second, not a minute.
UNTRAINED = "improved_model = build_improved_model()\n"


def make_class(folder, built):
    """The class above in `folder`, made from the student notebook `built`."""
    folder.mkdir()
    stubs = {question_of(c): c.source for c in nbformat.read(built, as_version=4).cells if is_answer(c)}
    make_submission(folder / "alice.ipynb", built, mnist_accuracy=UNTRAINED)
    make_submission(folder / "bob.ipynb", built, **BOB, mnist_accuracy=UNTRAINED)
    make_submission(folder / "carol.ipynb", built, **CAROL, mnist_accuracy=UNTRAINED)
    dave = {q: stubs[q] for q in ("improved_model", "mnist_accuracy")}
    make_submission(folder / "dave.ipynb", built, **DAVE, **dave)
    with zipfile.ZipFile(folder / "dave.zip", "w") as z:
        z.write(folder / "dave.ipynb", "dave.ipynb")
    (folder / "dave.ipynb").unlink()
    (folder / "erin.ipynb").write_bytes(built.read_bytes())
    (folder / "frank.ipynb").write_bytes(built.read_bytes())
    (folder / "broken.ipynb").write_text("these are my answers, I could not save the notebook")
    return folder

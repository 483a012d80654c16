"""Every submission the slow tests grade, made from the built student notebook.

Two classes, each graded once per test run (see conftest.py):
- CLASS: correct, partial, blank and every way to break, graded by the command line with a
  lenient target (quick training passes) and short limits; each entry says what grading
  must conclude.
- STRICT: adversaries, planted bugs and repeated submissions, graded with the shipped
  config (quick training misses the target); their tests hold the expectations.
"""

import json
import zipfile

import nbformat

from tests.helpers import QUICK_TRAINING, make_submission, solution_answers

# Never ends; sleeps rather than spins, to leave the test machine's cores to the others
# (tests/grading/test_kernel.py interrupts a spinning loop).
SUFFIX_LOOP = "\n\nimport time\nwhile True:\n    time.sleep(0.1)\n"
# Ignores interrupts and never ends, sleeping (a busy loop would burn a core of the test machine).
UNINTERRUPTIBLE = (
    "\n\nimport signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(1)\n"
)


def answers_with(question, extra):
    answers = solution_answers()
    return {question: answers[question] + extra, "mnist_accuracy": QUICK_TRAINING}


def _notebook(**overrides):
    return lambda path, built: make_submission(path, built, **overrides)


def _partial():
    return _notebook(gradient_descent="def gradient(w):\n    ...", improved_model="...", mnist_accuracy="...")


def _blank(path, built):
    path.write_bytes(built.read_bytes())


def _edit(change):
    def write(path, built):
        make_submission(path, built, mnist_accuracy=QUICK_TRAINING)
        nb = nbformat.read(path, as_version=4)
        change(nb)
        nbformat.write(nb, path)

    return write


def _drop_and_shuffle(nb):
    """Delete the plots and the data-loading text, and swap two given markdown cells."""
    nb.cells = [c for c in nb.cells if "plt.subplots" not in c.source]
    markdown = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    a, b = markdown[2], markdown[3]
    nb.cells[a], nb.cells[b] = nb.cells[b], nb.cells[a]


def _other_kernel(nb):
    nb.metadata.kernelspec = {"name": "tf-gpu", "display_name": "TensorFlow GPU", "language": "python"}


def _wrong_assignment(nb):
    nb.metadata.otter.assignment_name = "module3_transformers"


def _zip(names):
    def write(path, built):
        with zipfile.ZipFile(path, "w") as z:
            for name in names:
                z.writestr(name, built.read_text())

    return write


PTH_HOOK = """

import os, site
open(os.path.join(site.getsitepackages()[0], "kit_probe.pth"), "w").write("import os\\n")
"""
FAKE_RESULT = """

import json, os, pathlib
grader = pathlib.Path(os.readlink(f"/proc/{os.getppid()}/cwd"))  # the grading child's private folder
(grader / "result.json").write_text(json.dumps({"submission": "x", "questions": [], "status": "graded"}))
os.kill(os.getppid(), 9)
"""

PATCH_EVALUATE = """
import keras
keras.Model.evaluate = lambda self, *args, **kwargs: [0.0, 1.0]
keras.Model.predict = lambda self, x, *args, **kwargs: __import__("numpy").eye(10)[y_test[: len(x)]]
"""
PATCH_GRADER = """
def relu(z):
    return z

import numpy as np
import otter
import otter.test_files.abstract_test as abstract_test
abstract_test.TestFile.score = property(lambda self: 999)
otter.Notebook.check = lambda *args, **kwargs: None
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
"""
# Not a model: a function that looks each test image up among the labels (the grader used to call it).
LABEL_LOOKUP = """
import numpy as np
_labels = {row.tobytes(): int(label) for row, label in zip(X_test_flat, y_test)}

def improved_model(x, training=False):
    return np.eye(10)[[_labels.get(row.tobytes(), 0) for row in np.asarray(x, dtype="float32")]]
"""
# The test set as training data: in the graded kernel its labels are all 0, so this model learns nothing.
TEST_SET_TRAINING = """
improved_model = build_improved_model()
improved_model.fit(X_test_flat, y_test, epochs=1, batch_size=128, verbose=0)
"""
HARD_CODED_RELU = """
def relu(z):
    if np.shape(z) == (5,):
        return np.array([0.0, 0.0, 0.0, 0.5, 3.0])
    return np.ones(np.shape(z))
"""


# One process cannot take more than the memory limit (an rlimit: MemoryError, the rest graded);
# four processes of 2 GB each, ignoring interrupts, take the submission over it together.
GREEDY = """

import numpy, signal
hog = [numpy.ones(2**27) for _ in range(200)]
"""
HOG = """

import numpy, os, signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
for _ in range(4):
    if os.fork() == 0:
        hog = numpy.ones(2**28)
        time.sleep(600)
time.sleep(600)
"""

# name -> (how to write it, expected status, expected total or None), with the lenient target
CLASS = {
    "alice.ipynb": (_notebook(mnist_accuracy=QUICK_TRAINING), "graded", 10),
    "bob.ipynb": (_partial(), "graded", 4),
    "carol.ipynb": (_blank, "graded", 0),
    "dave.ipynb": (_notebook(**answers_with("gradient_descent", SUFFIX_LOOP)), "graded", 10),
    "erin.ipynb": (_notebook(**answers_with("activations", "\n\nimport sys\nsys.exit(0)\n")), "graded", 10),
    "frank.ipynb": (_notebook(**answers_with("improved_model", "\n\nimport os\nos._exit(1)\n")), "graded", 7),
    "grace.ipynb": (
        _notebook(**answers_with("improved_model", "\n\nimport ctypes\nctypes.string_at(0)\n")),
        "graded",
        7,
    ),
    "heidi.ipynb": (
        # ignores interrupts, so that it meets the memory limit before anything else, however slow
        _notebook(**answers_with("activations", HOG)),
        "out of memory",
        0,
    ),
    "hank.ipynb": (_notebook(**answers_with("activations", GREEDY)), "graded", 10),
    "ivan.ipynb": (
        _notebook(**answers_with("activations", "\n\nfor i in range(50000):\n    print('spam ' * 40)\n")),
        "graded",
        10,
    ),
    "judy.ipynb": (_notebook(**answers_with("gradient_descent", UNINTERRUPTIBLE)), "timed out", 0),
    # patches Keras so that its own evaluation reports 0: the grader measures for itself
    "paul.ipynb": (
        _notebook(mnist_accuracy=QUICK_TRAINING + PATCH_EVALUATE.replace("[0.0, 1.0]", "[9.0, 0.0]")),
        "graded",
        10,
    ),
    # Attacks on the grader: the sandbox leaves them nothing to reach, so each gets its honest grade.
    "mallory.ipynb": (
        _notebook(
            **answers_with(
                "activations", "\n\nimport autograder.testing as t\nopen(t.__file__, 'a').write('\\nMIN = 0\\n')\n"
            )
        ),
        "graded",
        10,
    ),
    "oscar.ipynb": (_notebook(**answers_with("activations", PTH_HOOK)), "graded", 10),
    "trudy.ipynb": (_notebook(**answers_with("activations", FAKE_RESULT)), "graded", 10),
    "niaj.ipynb": (lambda p, b: p.write_bytes(b"{ this is not json"), "not graded", 0),
    "olivia.ipynb": (lambda p, b: p.write_text(json.dumps({"hello": "world"})), "not graded", 0),
    "peggy.ipynb": (lambda p, b: p.write_bytes(b""), "not graded", 0),
    "quentin.zip": (_zip([]), "not graded", 0),
    "rupert.zip": (_zip(["a.ipynb", "b.ipynb"]), "not graded", 0),
    "sybil.ipynb": (_edit(_wrong_assignment), "ignored", None),  # another assignment's: listed, no row
    "trent final (1).ipynb": (_notebook(mnist_accuracy=QUICK_TRAINING), "graded", 10),
    "uma.ipynb": (_edit(_drop_and_shuffle), "graded", 10),
    "victor.ipynb": (_edit(_other_kernel), "graded", 10),
}


# Edits to given cells that WOULD change the grade if the grader ran them as submitted.
GIVEN_EDITS = [
    ("rng_seed = 42", "rng_seed = 7"),  # another seed: another trained model, another accuracy
    ('X_train = X_train.astype("float32") / 255.0', 'X_train = X_train.astype("float32") / 255.0 * 0'),  # blank images
    ("TARGET_ACCURACY = 0.979", "TARGET_ACCURACY = 0.1"),
    ("return keras.datasets.mnist.load_data()", "raise SystemExit"),
    ("def test_", "def ignored_"),
]


def _edit_given_cells(nb):
    for old, _ in GIVEN_EDITS[:2]:
        assert any(old in c.source for c in nb.cells), old
    for cell in nb.cells:
        for old, new in GIVEN_EDITS:
            cell.source = cell.source.replace(old, new)
    # Delete a given cell every answer needs: without `import numpy as np`, activations score 0.
    kept = [c for c in nb.cells if c.source.strip() != "import numpy as np\nimport matplotlib.pyplot as plt"]
    assert len(kept) == len(nb.cells) - 1
    nb.cells = kept


def _edited_given(path, built):
    """Given cells edited and deleted, plus a cell of the student's own that an answer uses."""
    make_submission(path, built, mnist_accuracy=QUICK_TRAINING)
    nb = nbformat.read(path, as_version=4)
    _edit_given_cells(nb)
    nb.cells.insert(3, nbformat.v4.new_code_cell("def helper(w):\n    return 2 * (w - 3)\n"))
    for cell in nb.cells:
        if cell.id == "gradient_descent-answer":
            cell.source = cell.source.replace("return 2 * (w - 3)", "return helper(w)")
    nbformat.write(nb, path)


def _planted(question, old, new):
    def write(path, built):
        answer = solution_answers()[question]
        assert old in answer, (question, old)
        make_submission(path, built, **{question: answer.replace(old, new), "mnist_accuracy": QUICK_TRAINING})

    return write


# Bugs that the public tests miss and the hidden tests must catch: question -> (solution text, bug).
PLANTED = {
    # softmax shifted by the largest score of all rows: nan for a row far below the others
    "activations": ("e = np.exp(z - z.max(axis=-1, keepdims=True))", "e = np.exp(z - z.max())"),
    "gradient_descent": ("for _ in range(n_steps):", "for _ in range(min(n_steps, 20)):"),  # at most 20 steps
    "improved_model": ('layers.Dense(10, activation="softmax")', "layers.Dense(10)"),  # no softmax output
}

_ANSWERS = solution_answers()
FROM_BASELINE = "improved_model = model\n"  # the baseline itself, as the student's notebook trained it
# name -> how to write it
STRICT = {
    "patched_evaluate": _notebook(mnist_accuracy=QUICK_TRAINING + PATCH_EVALUATE),
    "fake_accuracy": _notebook(mnist_accuracy=QUICK_TRAINING + "test_accuracy = accuracy = 0.999\n"),
    "patched_grader": _notebook(activations=_ANSWERS["activations"] + PATCH_GRADER, mnist_accuracy=QUICK_TRAINING),
    "hard_coded": _notebook(activations=_ANSWERS["activations"] + HARD_CODED_RELU, mnist_accuracy=QUICK_TRAINING),
    "label_lookup": _notebook(mnist_accuracy=LABEL_LOOKUP),
    "test_set_training": _notebook(mnist_accuracy=TEST_SET_TRAINING),
    "edited_given": _edited_given,
    "same0": _notebook(mnist_accuracy=QUICK_TRAINING),  # alice's notebook, in another run
    # the baseline as the improved model: the demo's 10 epochs must run first, as in the student's notebook
    "from_baseline": _notebook(mnist_accuracy=FROM_BASELINE),
    **{f"planted_{question}": _planted(question, *change) for question, change in PLANTED.items()},
}


def write(folder, built, catalogue, names=None):
    """Write the named entries of a catalogue (all by default) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names or catalogue:
        entry = catalogue[name]
        (entry[0] if isinstance(entry, tuple) else entry)(
            folder / name if "." in name else folder / f"{name}.ipynb", built
        )
    return folder

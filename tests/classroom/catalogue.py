"""A class's worth of submissions: correct, partial, blank, and every way to break.

Used by the bulk-grading tests and the benchmark. Each entry is a file name and a way to
write it from the built student notebook; `expected` says what grading must conclude.
"""

import json
import zipfile

import nbformat

from tests.helpers import QUICK_TRAINING, make_submission, solution_answers

SUFFIX_LOOP = "\n\nwhile True:\n    pass\n"
UNINTERRUPTIBLE = "\n\nimport signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"


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

# name -> (how to write it, expected status, expected total or None)
CLASS = {
    "alice.ipynb": (_notebook(mnist_accuracy=QUICK_TRAINING), "graded", 8),
    "bob.ipynb": (_partial(), "graded", 4),
    "carol.ipynb": (_blank, "graded", 0),
    "dave.ipynb": (_notebook(**answers_with("gradient_descent", SUFFIX_LOOP)), "graded", 8),
    "erin.ipynb": (_notebook(**answers_with("activations", "\n\nimport sys\nsys.exit(0)\n")), "graded", 8),
    "frank.ipynb": (_notebook(**answers_with("improved_model", "\n\nimport os\nos._exit(1)\n")), "graded", 7),
    "grace.ipynb": (
        _notebook(**answers_with("improved_model", "\n\nimport ctypes\nctypes.string_at(0)\n")),
        "graded",
        7,
    ),
    "heidi.ipynb": (
        _notebook(**answers_with("activations", "\n\nimport numpy\nhog = [numpy.ones(2**27) for _ in range(200)]\n")),
        "out of memory",
        0,
    ),
    "ivan.ipynb": (
        _notebook(**answers_with("activations", "\n\nfor i in range(200000):\n    print('spam ' * 40)\n")),
        "graded",
        8,
    ),
    "judy.ipynb": (_notebook(**answers_with("gradient_descent", UNINTERRUPTIBLE)), "timed out", 0),
    "mallory.ipynb": (
        _notebook(
            **answers_with(
                "activations", "\n\nimport autograder.testing as t\nopen(t.__file__, 'a').write('\\nMIN = 0\\n')\n"
            )
        ),
        "tampered",
        None,
    ),
    "oscar.ipynb": (_notebook(**answers_with("activations", PTH_HOOK)), "tampered", None),
    "trudy.ipynb": (_notebook(**answers_with("activations", FAKE_RESULT)), "crashed", 0),
    "niaj.ipynb": (lambda p, b: p.write_bytes(b"{ this is not json"), "not graded", 0),
    "olivia.ipynb": (lambda p, b: p.write_text(json.dumps({"hello": "world"})), "not graded", 0),
    "peggy.ipynb": (lambda p, b: p.write_bytes(b""), "not graded", 0),
    "quentin.zip": (_zip([]), "not graded", 0),
    "rupert.zip": (_zip(["a.ipynb", "b.ipynb"]), "not graded", 0),
    "sybil.ipynb": (_edit(_wrong_assignment), "not graded", 0),
    "trent final (1).ipynb": (_notebook(mnist_accuracy=QUICK_TRAINING), "graded", 8),
    "uma.ipynb": (_edit(_drop_and_shuffle), "graded", 8),
    "victor.ipynb": (_edit(_other_kernel), "graded", 8),
}


def write_class(folder, built, names=None):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names or CLASS:
        CLASS[name][0](folder / name, built)
    return folder

"""A model the student trained elsewhere: its weights handed in with the notebook, loaded, not trained again."""

import csv
import io
import json
import os
import urllib.request
import zipfile

import numpy as np
import pytest

from autograder.bridge.weights_file import WeightsRefused, misfit, read_weights
from autograder.classroom.reproduce import read_reproduced
from autograder.folders import ClassFolder
from tests.helpers import QUICK_TRAINING, make_submission, run_cli, solution_answers
from tests.review.conftest import serving

WEIGHTS = "deep_learning_primer.weights.npz"
TINY_MODEL = """def build_improved_model():
    model = keras.Sequential([layers.Input(shape=(784,)), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
"""


def as_handed_in(model):
    """The bytes the Submission cell writes for `model` (kit_cells.WEIGHTS_CODE names them so)."""
    data = io.BytesIO()
    np.savez(data, **{f"{i:03d}_{w.name}": np.asarray(w) for i, w in enumerate(model.weights)})
    return data.getvalue()


def _trained(on_test_set, epochs, batch_size=128):
    """The solution's model trained here for seconds, on 3,000 training images or on the test set itself
    (as a student who reads MNIST's public test labels at home may): (its weights file, its accuracy
    on the official test set)."""
    import keras
    from keras import layers

    namespace = {"keras": keras, "layers": layers}
    exec(solution_answers()["improved_model"], namespace)
    keras.utils.set_random_seed(7)
    model = namespace["build_improved_model"]()
    with np.load(os.environ["MNIST_PATH"]) as mnist:
        x_test, y_test = mnist["x_test"].reshape(-1, 784) / 255.0, mnist["y_test"]
        x, y = mnist["x_train"][:3000].reshape(-1, 784) / 255.0, mnist["y_train"][:3000]
    x, y = (x_test, y_test) if on_test_set else (x, y)
    model.fit(x.astype("float32"), y, epochs=epochs, batch_size=batch_size, verbose=0)
    accuracy = float(np.mean(np.argmax(model.predict(x_test.astype("float32"), verbose=0), axis=1) == y_test))
    return as_handed_in(model), accuracy


@pytest.fixture(scope="module")
def trained():
    """Far below the full training's accuracy (0.99): a grade that measures it measured these weights."""
    return _trained(on_test_set=False, epochs=1)


def _zipped(path, notebook, weights):
    with zipfile.ZipFile(path, "w") as z:
        z.write(notebook, "deep_learning_primer.ipynb")
        z.writestr(WEIGHTS, weights)
    return path


def test_a_weights_file_holds_numeric_arrays_named_in_order_or_is_refused_saying_why():
    def written(**arrays):
        data = io.BytesIO()
        np.savez(data, **arrays)
        return data.getvalue()

    good = written(**{"000_kernel": np.ones((784, 10), "float32"), "001_bias": np.zeros(10, "float32")})
    assert [(name, a.shape) for name, a in read_weights(good, 10_000)] == [("kernel", (784, 10)), ("bias", (10,))]
    refusals = {
        "pickled": (written(**{"000_kernel": np.array([{"a": 1}], dtype=object)}), "not a file of arrays"),
        "text": (written(**{"000_kernel": np.array(["x"])}), "not numbers"),
        "renamed": (written(kernel=np.ones(3)), "not named as the Submission cell names them"),
        "a gap": (written(**{"000_kernel": np.ones(3), "002_bias": np.ones(3)}), "not named"),
        "too big": (good, "more than a model of 100 parameters"),
        "no zip": (b"\x93NUMPY not really", "not a file of arrays"),
    }
    for case, (data, why) in refusals.items():
        with pytest.raises(WeightsRefused, match=why):
            read_weights(data, 100 if case == "too big" else 10_000)

    class Variable:
        def __init__(self, name, shape):
            self.name, self.shape, self.dtype = name, shape, "float32"

    model = [Variable("kernel", (784, 10)), Variable("bias", (10,))]
    assert misfit(model, read_weights(good, 10_000)) is None
    assert misfit(model[:1], read_weights(good, 10_000)) == "it holds 2 arrays, and the model has 1 weights"
    wider = [Variable("kernel", (784, 12)), Variable("bias", (12,))]
    assert misfit(wider, read_weights(good, 10_000)) == (
        "its array 000 is kernel of shape (784, 10) (float32), where the model has kernel of shape (784, 12) (float32)"
    )


@pytest.mark.slow
def test_a_class_of_loaded_and_retrained_models_grades_in_one_run(tmp_path, built, trained):
    """One run: the solution handed in with its weights (in its zip, and beside it in a folder of its
    own, as Gradescope's upload is) is measured with them, its training skipped; weights that do not
    fit the notebook's model are refused saying why, and that model is trained as written (past
    chance, 0.1); a notebook without weights is trained. The gradebook and each feedback page say
    which. `--reproduce cheat` trains again the notebook handed in with weights trained on the test
    set: the loaded value, far above its reproduction, is flagged (summary, review app), not graded down."""
    weights, accuracy = trained
    cheat, cheat_accuracy = _trained(on_test_set=True, epochs=5, batch_size=32)
    quick = make_submission(tmp_path / "quick.ipynb", built, mnist_accuracy=QUICK_TRAINING)
    solution = make_submission(tmp_path / "deep_learning_primer.ipynb", built)
    tiny = make_submission(tmp_path / "tiny.ipynb", built, improved_model=TINY_MODEL, mnist_accuracy=QUICK_TRAINING)
    (tmp_path / "class" / "upload").mkdir(parents=True)
    _zipped(tmp_path / "class" / "zipped.zip", solution, weights)
    (tmp_path / "class" / "upload" / "deep_learning_primer.ipynb").write_bytes(solution.read_bytes())
    (tmp_path / "class" / "upload" / WEIGHTS).write_bytes(weights)
    _zipped(tmp_path / "class" / "misfit.zip", tiny, weights)
    _zipped(tmp_path / "class" / "cheat.zip", quick, cheat)
    (tmp_path / "class" / "plain.ipynb").write_bytes(tiny.read_bytes())

    out = tmp_path / "out"
    run = run_cli("grade", tmp_path / "class", "--out", out, "-j", "2", "--reproduce", "cheat", timeout=1200)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with open(tmp_path / "out" / "gradebook.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}

    def graded(student):
        return json.loads((tmp_path / "out" / "students" / student / "grade.json").read_text())["measurements"]

    assert {s: rows[s]["model"] for s in rows} == {
        "zipped": "loaded",
        "deep_learning_primer": "loaded",
        "misfit": "retrained",
        "plain": "retrained",
        "cheat": "loaded",
    }
    for student in ("zipped", "deep_learning_primer"):  # these weights, not a model trained again (0.989)
        assert graded(student)["test_accuracy"] == pytest.approx(accuracy, abs=2e-4)
        assert float(rows[student]["total"]) == 8  # below the accuracy's floor: these weights learned little
    why = graded("misfit")["model_weights"]
    assert why.startswith("retrained: misfit.zip/deep_learning_primer.weights.npz was not loaded: it does not fit")
    assert f"it holds {len(read_weights(weights, 10**7))} arrays, and the model has 2 weights" in why
    assert graded("misfit")["test_accuracy"] > 0.2 and graded("plain")["model_weights"] == "retrained"
    page = (tmp_path / "out" / "students" / "zipped" / "feedback.html").read_text()
    assert "measured with the weights you handed in, not trained again" in page
    page = (tmp_path / "out" / "students" / "misfit" / "feedback.html").read_text()
    assert "The grader trained your model itself (misfit.zip/" in page and "2 weights" in page

    assert graded("cheat")["test_accuracy"] == pytest.approx(cheat_accuracy, abs=2e-4)
    assert cheat_accuracy > 0.98 and float(rows["cheat"]["total"]) == 10  # its own grade: flagged, not lowered
    (checked,) = read_reproduced(ClassFolder(out).reproduced)["cheat"]
    assert checked.flagged and checked.loaded - checked.reproduced > 0.1, checked
    assert set(read_reproduced(ClassFolder(out).reproduced)) == {"cheat"}  # none other asked, no outlier
    assert "above its reproduction by more than 0.005" in ClassFolder(out).summary.read_text()
    with serving(out) as (base, token):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(f"{base}/?token={token}").read().decode()
        assert page.count('class="reproduced-flag"') == 1
        page = opener.open(f"{base}/student/cheat").read().decode()
        assert "trained again from the notebook" in page and "⚑ the handed-in weights measure more" in page

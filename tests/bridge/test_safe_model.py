"""A model rebuilt in the grader: the student's weights, running each input once."""

import numpy as np

from autograder.bridge.safe_model import rebuild_model
from autograder.phases import recording
from autograder.testing import probabilities


def _predicting(model, x, **options):
    """What `model` predicts for `x`, and whether it ran the model for it (or remembered)."""
    seconds = {}
    with recording(seconds):
        predicted = model.predict(x, verbose=0, **options)
    return predicted, "evaluation" in seconds


def test_the_same_images_are_run_once_and_other_images_afresh():
    """The public accuracy check predicts the 10,000 images the grader then measures."""
    import keras

    student = keras.Sequential([keras.layers.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    model = rebuild_model(student.to_json(), student.get_weights(), compiled=False, max_parameters=10**6)
    x = np.random.default_rng(0).uniform(0, 1, size=(300, 784)).astype("float32")

    first, ran = _predicting(model, x, batch_size=100)
    assert ran
    np.testing.assert_allclose(first, student.predict(x, verbose=0), rtol=1e-5)
    first[:] = 0  # a caller that changes what it got changes nothing remembered
    seconds = {}
    with recording(seconds):
        measured = probabilities(model, x.copy())  # the same bytes in another array, as the grader measures
    assert "evaluation" not in seconds
    np.testing.assert_allclose(measured, student.predict(x, verbose=0), rtol=1e-5)

    other = x.copy()
    other[0, 0] += 0.5
    third, ran = _predicting(model, other)
    assert ran and not np.array_equal(third[0], measured[0])

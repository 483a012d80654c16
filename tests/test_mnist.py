"""The primer's MNIST is found without a network: $MNIST_PATH, then its setting, then Keras's cache."""

from dataclasses import replace

import numpy as np
import pytest

from autograder.errors import DataNotFoundError
from autograder.hooks import module_of


@pytest.fixture
def primer(config):
    return module_of(config)


def test_explicit_path_wins(tmp_path, monkeypatch, config, primer):
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    first.write_bytes(b"x")
    second.write_bytes(b"x")
    named = replace(config, settings={"mnist_path": str(second)})
    monkeypatch.setenv("MNIST_PATH", str(first))
    assert primer.mnist_path(named) == first
    monkeypatch.delenv("MNIST_PATH")
    assert primer.mnist_path(named) == second


def test_a_named_path_that_is_not_a_file_is_an_error(tmp_path, monkeypatch, config, primer):
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "typo.npz"))
    with pytest.raises(DataNotFoundError, match=r"MNIST_PATH names .*typo\.npz"):
        primer.mnist_path(config)


def test_a_clear_message_names_the_variable(tmp_path, monkeypatch, config, primer):
    monkeypatch.delenv("MNIST_PATH", raising=False)
    monkeypatch.setattr(primer, "KERAS_CACHE", tmp_path / "nothing.npz")
    monkeypatch.setattr("keras.utils.get_file", lambda *a, **k: (_ for _ in ()).throw(OSError("no network")))
    with pytest.raises(DataNotFoundError, match="MNIST_PATH"):
        primer.mnist_path(config)


def test_the_test_set_is_the_official_one(config, primer):
    x, y = primer.load_test_set(primer.mnist_path(config))
    assert x.shape == (10000, 784) and 0 <= x.min() and x.max() <= 1
    assert list(y[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_altered_test_labels_are_refused(tmp_path, config, primer):
    with np.load(primer.mnist_path(config)) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["y_test"] = arrays["y_test"].copy()
    arrays["y_test"][:100] = 0  # a student's forged labels
    np.savez(tmp_path / "forged.npz", **arrays)
    with pytest.raises(DataNotFoundError, match="official MNIST test set"):
        primer.load_test_set(tmp_path / "forged.npz")

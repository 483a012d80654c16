"""autograder.testing: the hidden tests' random draws come from the grading secret; tolerances
follow the precision of the inputs a test gave."""

import stat
import subprocess
from dataclasses import replace

import nbformat
import numpy as np
import pytest

from autograder import ROOT, secret
from autograder.config import load_config
from autograder.testing import close, grading_rng, grading_with, measurement_rng


def _draws(config, kind="test", name="test_a"):
    with grading_with(config, {}):
        rng = grading_rng(name) if kind == "test" else measurement_rng(name)
        return rng.normal(size=4)


def test_each_test_and_each_measured_value_has_its_own_stream_and_the_same_one_each_grading(config):
    assert np.array_equal(_draws(config), _draws(config))
    others = [
        _draws(config, name="test_b"),
        _draws(config, kind="measured", name="test_a"),
        _draws(replace(config, assignment="backprop_spiral")),
        _draws(replace(config, secret=secret.ensure(ROOT) + "-next-term")),
    ]
    assert not any(np.allclose(_draws(config), other) for other in others)
    assert not np.allclose(_draws(config), np.random.default_rng(config.seed).normal(size=4))  # not the seed's


def test_a_test_that_draws_twice_gets_two_streams_named_by_its_function(config):
    def test_twice():
        return grading_rng().normal(size=3), grading_rng().normal(size=3)

    with grading_with(config, {}):
        first, second = test_twice()
    with grading_with(config, {}):
        again = test_twice()
    assert not np.allclose(first, second) and np.array_equal(first, again[0]) and np.array_equal(second, again[1])
    assert np.array_equal(first, _draws(config, name="test_twice")[:3])


def test_no_secret_no_draw(config):
    with grading_with(replace(config, secret=""), {}), pytest.raises(RuntimeError, match="grading secret"):
        grading_rng()


def test_the_secret_is_the_course_owners_alone_and_never_committed(config):
    mode = secret.path(ROOT).stat().st_mode
    assert config.secret and not mode & (stat.S_IRWXG | stat.S_IRWXO)
    ignored = subprocess.run(["git", "check-ignore", "-q", secret.FILE], cwd=ROOT)
    assert ignored.returncode == 0
    assert "secret=" not in repr(config)


def test_a_course_gets_its_secret_at_its_first_command_and_keeps_it(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "grading_config.yml").write_text((ROOT / "grading_config.yml").read_text().split("\nassignments:")[0])
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "solutions" / "week1.ipynb")
    first = load_config(tmp_path / "grading_config.yml", root=tmp_path, assignment="week1").secret
    assert len(first) == 64 and load_config(tmp_path / "grading_config.yml", root=tmp_path).secret == first


def test_float64_answers_from_float32_inputs_are_held_to_float32():
    """A forward pass whose logits are float32 and whose own sigmoid is float64: correct."""
    rng = np.random.default_rng(3)
    X, W = rng.normal(0, 5, (50, 4)).astype(np.float32), rng.normal(0, 3, (4, 1)).astype(np.float32)
    expected = 1 / (1 + np.exp(-(X.astype(float) @ W.astype(float))))
    answer = 1 / (1 + np.exp(-np.asarray(X @ W, dtype=np.float64)))
    assert answer.dtype == np.float64 and not close(answer, expected)  # the answer's own type is too strict
    assert close(answer, expected, inputs=(X, {"W": W}))
    assert close(answer.astype(np.float32), expected)  # a float32 answer, as before
    assert not close(answer + 1e-3, expected, inputs=[X, W]) and not close(answer[:10], expected[:10].T, inputs=X)

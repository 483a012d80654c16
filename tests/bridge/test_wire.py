"""Both sides of the bridge know exactly the wire format's kinds (wire.py)."""

import ast
from pathlib import Path

import numpy as np
import pytest

from autograder.bridge import kernel_side, wire
from autograder.bridge.grader_side import KernelNamespace, _first_change


def _kinds_written_by_the_kernel():
    """Every `"t": <kind>` the kernel side writes, read from its source (it cannot import wire)."""
    tree = ast.parse(Path(kernel_side.__file__).read_text())
    kinds = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "t":
                    if isinstance(value, ast.Constant):
                        kinds.add(value.value)
                    else:  # {"t": type(value).__name__} for list and tuple
                        kinds |= {"list", "tuple"}
    return kinds


def test_the_kernel_writes_only_known_kinds():
    assert _kinds_written_by_the_kernel() == set(wire.KINDS)


def test_the_grader_reads_every_kind():
    assert set(KernelNamespace(kernel=None, max_model_parameters=1)._decoders) == set(wire.KINDS)


def test_plain_values_round_trip_without_a_kernel():
    arrays = {}
    node = kernel_side._encode({"a": [1, (2.5, "x")], "b": None}, arrays)
    value = KernelNamespace(kernel=None, max_model_parameters=1).decode({"error": None, "value": node}, arrays)
    assert value == {"a": [1, (2.5, "x")], "b": None}


def test_what_the_grader_asks_of_a_held_object_the_kernel_answers():
    from autograder.bridge.grader_side import ASKED

    assert {*ASKED, "getattr", "iter"} == set(kernel_side._OPERATIONS)


def test_both_sides_frame_alike():
    assert kernel_side.FRAME_HEADER == wire.FRAME_HEADER


def test_a_change_in_place_is_found_inside_the_dicts_and_lists_that_hold_arrays():
    params = {"W1": np.ones((2, 3)), "b1": np.zeros(3)}
    after = {"W1": np.ones((2, 3)), "b1": np.array([0.0, 0.5, 0.0])}
    assert _first_change(params, after) == "['b1']"
    assert _first_change([np.ones(2), params], [np.ones(2), after]) == "[1]['b1']"
    assert _first_change(params, {"W1": np.ones((2, 3))}) == ", its keys"
    assert _first_change(np.array([np.nan]), np.array([np.nan])) is None
    assert _first_change(params, {k: v.copy() for k, v in params.items()}) is None
    assert _first_change("text", "other") is None  # only arrays are compared


def _round_trip(value):
    arrays = {}
    node = kernel_side._encode(value, arrays)
    return KernelNamespace(kernel=None, max_model_parameters=1).decode({"error": None, "value": node}, arrays)


def test_sets_modules_and_pandas_arrive_as_plain_data():
    import pandas as pd

    assert _round_trip({1, "a", (2, 3)}) == {1, "a", (2, 3)} and isinstance(_round_trip(frozenset([1])), frozenset)
    assert _round_trip(np) is np  # the grader's own numpy, imported by name
    frame = pd.DataFrame({"city": ["Oslo", "Lima"], "t": [4.5, 19.0]}, index=pd.Index([10, 20], name="id"))
    back = _round_trip(frame)
    pd.testing.assert_frame_equal(back, frame)
    assert back.shape == (2, 2) and list(back.columns) == ["city", "t"]
    series = pd.Series([1, 2, 3], index=["a", "b", "c"], name="n")
    pd.testing.assert_series_equal(_round_trip(series), series)


def test_a_module_the_grader_may_not_import_says_why_and_any_other_object_is_held_in_the_kernel():
    import types

    mine = types.ModuleType("my_helpers")  # a student's own file: never imported in the grader
    assert "not a standard or installed module" in repr(_round_trip(mine))
    with pytest.raises(AttributeError, match=r"has no \.helper here: import it in the test instead"):
        _ = _round_trip(mine).helper
    held = _round_trip(x for x in range(3))
    assert type(held).__name__ == "RemoteObject" and repr(held).startswith("<generator object")
    assert kernel_side.HELD[held._handle] is not None  # what the grader asks about stays in the kernel


def test_a_numpy_scalar_stays_one():
    """np.float64 is a Python float too: it must not arrive as a plain float (an OK test prints its repr)."""
    assert repr(_round_trip(np.float64(2.5))) == "np.float64(2.5)" and repr(_round_trip(np.int64(3))) == "np.int64(3)"

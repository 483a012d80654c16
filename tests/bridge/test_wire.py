"""Both sides of the bridge know exactly the wire format's kinds (wire.py)."""

import ast
from pathlib import Path

from autograder.bridge import kernel_side, wire
from autograder.bridge.grader_side import KernelNamespace


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


def test_both_sides_frame_alike():
    assert kernel_side.FRAME_HEADER == wire.FRAME_HEADER

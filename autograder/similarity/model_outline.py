"""A Keras model's outline, read from its source with `ast` and never run: context, not evidence.

Many students build the same model from the same advice, so two equal outlines say little;
similarity shows them next to a pair's scores and never counts them.
"""

import ast

from autograder.bridge.safe_model import LAYERS

LAYER_CALLS = LAYERS | {"Input"}
SHOWN_KEYWORDS = {"activation", "rate", "units", "filters", "kernel_size"}
COMPILE_KEYWORDS = ("optimizer", "loss")
FIT_KEYWORDS = ("epochs", "batch_size")


def model_outline(code):
    """'Dense(256, relu) > Dropout(0.3) > Dense(10, softmax); adam; epochs=10': the layers in the order
    written, compile's optimizer and fit's epochs and batch size ("" when none is found)."""
    try:
        calls = sorted(
            (node for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Call)),
            key=lambda node: (node.lineno, node.col_offset),
        )
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""
    layers = [_layer(call) for call in calls if _name(call) in LAYER_CALLS]
    settings = [
        f"{key}={_value(keyword.value)}"
        for call in calls
        if _name(call) in ("compile", "fit")
        for keyword in call.keywords
        if (key := keyword.arg) in (*COMPILE_KEYWORDS, *FIT_KEYWORDS)
    ]
    return "; ".join(part for part in (" > ".join(layers), ", ".join(settings)) if part)


def _name(call):
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def _layer(call):
    """`Conv2D(16, 3, relu)`: the literal arguments that shape the layer."""
    shown = [_value(arg) for arg in call.args]
    shown += [_value(k.value) for k in call.keywords if k.arg in SHOWN_KEYWORDS]
    return f"{_name(call)}({', '.join(shown)})" if shown else _name(call)


def _value(node):
    """A literal as written (strings unquoted), a call by its name (`Adam(...)`), anything else as `?`."""
    if isinstance(node, ast.Constant):
        return str(node.value)[:40]
    if isinstance(node, ast.Call):
        return f"{_name(node)}(...)"
    if isinstance(node, ast.Tuple | ast.List):
        return "(" + ", ".join(_value(item) for item in node.elts) + ")"
    return "?"

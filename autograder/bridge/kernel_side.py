"""The kit's side of the bridge, running INSIDE the student's kernel.

Tests never run here: the grader asks for a value or a call, and this code writes
the answer as plain data (JSON and numeric arrays, never pickle) for the grader to
check in its own process. Whatever the student's code patches in this kernel, it can
only change what its own functions return.

The grader copies this file into the kernel's read-only inbox and runs it once, in a new
namespace, as the cell that serves all of a grading's requests over one socket
(grading/kernel.py): the kernel needs no access to the kit's files, which may be
unreadable to student code. It must therefore import nothing of the kit; wire.py
documents what it reads and writes.
"""

import contextlib
import io
import itertools
import json
import linecache
import operator
import os
import socket
import sys
import traceback
import warnings

import dill
import numpy as np

MAX_ITEMS = 100_000
FRAME_HEADER = 8  # bytes: a frame's length, big-endian, then the frame


def serve(address):
    """Answer the grader's requests, one after another, until it closes the socket at `address`.

    The grader's first request comes once the notebook has run: every request is answered in the
    namespace as the notebook left it (`restore`), so that a function a test calls cannot change
    what a later test reads or calls. What the student's functions print while a test calls them
    is nobody's output: dropped."""
    namespace = get_ipython().user_ns
    left = dict(namespace)
    get_ipython().kit_held = HELD  # where a held object the grader sends back as an argument is found
    with socket.socket(socket.AF_UNIX) as connection, open(os.devnull, "w") as sink:
        connection.connect(address)
        stream = connection.makefile("rwb")
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            while header := stream.read(FRAME_HEADER):
                request = dill.loads(stream.read(int.from_bytes(header, "big")))
                restore(namespace, left)
                reply = answer(request)
                stream.write(len(reply).to_bytes(FRAME_HEADER, "big") + reply)
                stream.flush()


def restore(namespace, left):
    """The notebook's names bound again as `left` holds them: those added since are removed, those
    rebound (by a `global` statement, or `globals()[...] = ...`) are bound back."""
    for name in [name for name in namespace if name not in left]:
        del namespace[name]
    for name, value in left.items():
        if namespace.get(name, _MISSING) is not value:
            namespace[name] = value


def answer(request):
    """The reply to one request, as the bytes of an .npz file: get a variable, call a function, or
    use an object held for the grader (an attribute, a call, len, iteration, a comparison...)."""
    arrays, reply = {}, {"warnings": [], "error": None}
    try:
        value, op = _target(request), request["op"]
        if op != "get" and value is _MISSING:
            raise NameError(f"name '{request['name']}' is not defined")
        args, kwargs = request["args"], request["kwargs"]
        if op in _OPERATIONS:
            value = _OPERATIONS[op](value, *args, **kwargs)
        elif op == "call":
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                value = value(*args, **kwargs)
            reply["warnings"] = [[w.category.__name__, str(w.message)] for w in caught]
            # Arrays (and dicts or lists of them) as the call left them: a change in place shows.
            holding_arrays = (np.ndarray, dict, list)
            reply["args_after"] = [_encode(a, arrays) if isinstance(a, holding_arrays) else None for a in args]
        reply["value"] = _encode(value, arrays, request["name"] if op == "get" and "h" not in request else None)
    except BaseException as e:  # the student's code may raise anything, even SystemExit
        reply["error"] = [type(e).__name__, str(e)[:2000], student_frames(e.__traceback__)]
    size, limit = sum(a.nbytes for a in arrays.values()), request.get("max_bytes", float("inf"))
    if size > limit:  # say so here, rather than send what the grader will not read
        arrays, reply["value"] = {}, None
        reply["error"] = [
            "ValueTooLarge",
            f"the value is {size / 2**20:.1f} MB; the grader takes at most {limit / 2**20:.0f} MB",
        ]
    arrays["reply"] = np.frombuffer(json.dumps(reply).encode(), dtype=np.uint8)
    data = io.BytesIO()
    np.savez(data, **arrays)
    return data.getvalue()


def student_frames(tb, most=3):
    """Where in the notebook's own cells a traceback passed, innermost last: [[the cell's first line,
    the line's number in it, the line, the function], ...]. IPython keeps each cell's source in
    linecache with no file behind it (no mtime): that tells a cell from a file."""
    frames = []
    for frame, number in traceback.walk_tb(tb):
        cached = linecache.cache.get(frame.f_code.co_filename)
        if cached and len(cached) == 4 and cached[1] is None:
            lines = cached[2]
            first = next((line.strip() for line in lines if line.strip()), "")
            line = lines[number - 1].strip() if 0 < number <= len(lines) else ""
            frames.append([first[:60], number, line[:200], frame.f_code.co_name])
    return frames[-most:]


def failure_message(test_file, error, context=0):
    """A failed test's message (otter's ExceptionTestFile._generate_error_message): where the student's
    code raised, in their own cell and line, first; then the test's line that called it. `error` is
    the exception, or the grader's StudentError carrying the kernel's `frames`."""
    frames = getattr(error, "frames", None) or student_frames(error.__traceback__)
    called = error.__traceback__.tb_next.tb_next.tb_lineno if error.__traceback__.tb_next.tb_next else 0
    test_line = test_file.source_lines[called - 1].strip() if 0 < called <= len(test_file.source_lines) else ""
    kind = "" if hasattr(error, "frames") else f"{type(error).__name__}: "  # the kernel said its kind
    text = f"{kind}{str(error).strip(chr(39))}"
    if not frames:
        return f"Error at line {called} in test {test_file.name}:\n  {test_line}\n{text}"
    where = [
        f"  line {n} of your cell starting {first!r} (in {function}):\n      {line}"
        for first, n, line, function in frames
    ]
    return "\n".join([text, *where, f"  called by the test ({test_file.name}):\n      {test_line}"])


class _Missing:
    pass


_MISSING = _Missing()
HELD = []
"""The objects the grader was sent as handles ("object" nodes), by number: it uses them by asking."""


def _target(request):
    """What a request is about: an object held for the grader, or a name of the notebook's."""
    if "h" in request:
        return HELD[request["h"]]
    return get_ipython().user_ns.get(request["name"], _MISSING)


def _listed(value):
    """Iteration, as a list: at most MAX_ITEMS items."""
    items = list(itertools.islice(iter(value), MAX_ITEMS + 1))
    if len(items) > MAX_ITEMS:
        raise ValueError(f"iterating over it gave more than {MAX_ITEMS} items, more than the grader takes")
    return items


_OPERATIONS = {
    "getattr": getattr,
    "getitem": operator.getitem,
    "contains": operator.contains,
    "len": len,
    "iter": _listed,
    "bool": bool,
    "str": str,
    "int": int,
    "float": float,
    "hash": hash,
    **{op: getattr(operator, op) for op in ("eq", "ne", "lt", "le", "gt", "ge")},
}


def _encode(value, arrays, name=None):
    if value is _MISSING:
        return {"t": "missing"}
    if value is None or (isinstance(value, (bool, int, float, str)) and not isinstance(value, np.generic)):
        return {"t": "py", "v": value}
    if isinstance(value, (list, tuple)) and len(value) <= MAX_ITEMS:
        return {"t": type(value).__name__, "v": [_encode(v, arrays) for v in value]}
    if isinstance(value, dict) and len(value) <= MAX_ITEMS and all(isinstance(k, str) for k in value):
        return {"t": "dict", "v": {k: _encode(v, arrays) for k, v in value.items()}}
    if isinstance(value, (set, frozenset)) and len(value) <= MAX_ITEMS:
        return {"t": "set", "v": [_encode(v, arrays) for v in value], "frozen": isinstance(value, frozenset)}
    if isinstance(value, type(sys)):
        return {"t": "module", "name": value.__name__}
    if _is_pandas(value):
        return _encode_pandas(value, arrays)
    if _is_keras_model(value):
        return _encode_model(value, arrays)
    if isinstance(value, np.ndarray) or isinstance(value, np.generic) or hasattr(value, "numpy"):
        array = np.asarray(value)
        if array.dtype.kind in "biufc":
            key = f"a{len(arrays)}"
            arrays[key] = array
            return {"t": "array", "k": key, "scalar": array.ndim == 0 and not isinstance(value, np.ndarray)}
    if callable(value) and name is not None:
        return {"t": "function", "name": name}
    HELD.append(value)
    return {"t": "object", "h": len(HELD) - 1, "type": type(value).__name__, "repr": _repr(value)}


def _repr(value):
    try:
        return repr(value)[:300]
    except Exception as e:  # the student's own __repr__
        return f"<{type(value).__name__} whose repr raised {type(e).__name__}>"


def _is_pandas(value):
    pandas = sys.modules.get("pandas")  # as for Keras: not imported, no value is pandas'
    return pandas is not None and isinstance(value, (pandas.DataFrame, pandas.Series, pandas.Index))


def _encode_pandas(value, arrays):
    """A DataFrame, Series or Index as its columns of plain values (numbers as arrays), index and names."""
    pandas = sys.modules["pandas"]
    if isinstance(value, pandas.DataFrame):
        if value.shape[1] > MAX_ITEMS:
            raise ValueError(f"a DataFrame of {value.shape[1]} columns is too wide for the grader")
        columns = [_encode_pandas(value.iloc[:, i], arrays) for i in range(value.shape[1])]
        return {"t": "frame", "columns": columns, "index": _encode_pandas(value.index, arrays)}
    values = value.to_numpy()
    plain = values if values.dtype.kind in "biuf" else values.tolist()
    if values.dtype.kind not in "biuf" and len(plain) > MAX_ITEMS:
        raise ValueError(f"a {type(value).__name__} of {len(plain)} non-numeric values is too long for the grader")
    name = value.name if value.name is None or isinstance(value.name, (str, int, float)) else str(value.name)
    node = {"v": _encode(plain, arrays), "name": name, "dtype": str(value.dtype)}
    if isinstance(value, pandas.Series):
        return {"t": "series", **node, "index": _encode_pandas(value.index, arrays)}
    return {"t": "index", **node}


def _is_keras_model(value):
    keras = sys.modules.get("keras")  # not imported: no value is a Keras model, and no import is needed
    return keras is not None and isinstance(value, keras.Model)


def _encode_model(model, arrays):
    """A model leaves as its JSON config and weight arrays: nothing that can run code."""
    try:
        config = model.to_json()
    except Exception as e:
        raise TypeError(
            f"the model cannot be written as a configuration ({type(e).__name__}: {str(e)[:200]}): "
            "build it from standard Keras layers, with activations named as strings such as 'relu'"
        ) from None
    keys = []
    for weights in model.get_weights():
        key = f"a{len(arrays)}"
        arrays[key] = np.asarray(weights)
        keys.append(key)
    return {
        "t": "model",
        "config": config,
        "weights": keys,
        "compiled": bool(getattr(model, "compiled", False)),
    }

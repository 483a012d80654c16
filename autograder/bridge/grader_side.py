"""The grader's view of the student's kernel: variables and functions by name.

otter's exception-based tests look their parameters up by name in a mapping. Here that
mapping answers from the student's kernel: data arrives as plain values and arrays,
functions as `RemoteFunction`s that run in the kernel, Keras models rebuilt safely in
the grader (see safe_model). Assertions then run in the grader's own process, where
the student's code cannot reach them. wire.py documents the format read here.
"""

import importlib
import importlib.metadata
import io
import json
import sys
import warnings
import zipfile

import numpy as np

from autograder.bridge.safe_model import rebuild_model
from autograder.errors import StudentError


class Opaque:
    """A student value the grader does not take in: a module it may not import."""

    def __init__(self, type_name, text):
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return f"<student's {self.type_name}: {self.text}>"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"the notebook's {self.type_name} ({self.text[:80]}) does not reach the grader's tests, so it has no "
            f".{name} here: import it in the test instead, or give the test the values it computes"
        )


def _called(namespace, request, args, kwargs):
    """A call in the student's kernel (`request` names what is called): its value, its warnings
    raised again here, and an input array it changed in place refused."""
    reply, arrays = namespace.kernel.ask({**request, "op": "call", "args": args, "kwargs": kwargs})
    for category, message in reply["warnings"]:
        kind = RuntimeWarning if "Warning" in category else UserWarning
        warnings.warn(f"{category}: {message}", kind, stacklevel=3)
    value = namespace.decode(reply, arrays)
    after = [node and namespace._value(node, arrays) for node in reply.get("args_after") or []]
    _refuse_changed_arguments(request["name"], args, after)
    return value


class RemoteFunction:
    """Calls a function of the student's notebook, in the student's kernel."""

    def __init__(self, namespace, name):
        self.namespace, self.__name__ = namespace, name

    def __call__(self, *args, **kwargs):
        return _called(self.namespace, {"name": self.__name__}, args, kwargs)

    def __reduce__(self):
        # As an argument to another student function, it unpickles as the kernel's own function.
        return (eval, (f"get_ipython().user_ns[{self.__name__!r}]",))

    def __repr__(self):
        return f"<student function {self.__name__}>"


class RemoteObject:
    """Any other object of the student's: it stays in the kernel, and each use of it here (an
    attribute, a call, len, iteration, indexing, `in`, a comparison, bool, str, int, float, hash)
    is asked of the kernel, under the call time limit, and answered with plain data (or another
    RemoteObject). Only its repr is known here without asking."""

    def __init__(self, namespace, handle, type_name, text):
        self._namespace, self._handle, self._type, self._text = namespace, handle, type_name, text

    def _ask(self, op, *args):
        reply, arrays = self._namespace.kernel.ask(self._about(op, args))
        return self._namespace.decode(reply, arrays)

    def _about(self, op, args=()):
        return {"op": op, "h": self._handle, "name": f"the {self._type}", "args": args, "kwargs": {}}

    def __getattr__(self, name):
        if name.startswith("__"):  # the protocols Python and NumPy probe for: not the student's
            raise AttributeError(name)
        return self._ask("getattr", name)

    def __call__(self, *args, **kwargs):
        return _called(self._namespace, self._about("call"), args, kwargs)

    def __iter__(self):
        return iter(self._ask("iter"))

    def __reduce__(self):
        # As an argument to the student's code, it unpickles as the kernel's own object.
        return (eval, (f"get_ipython().kit_held[{self._handle}]",))

    def __repr__(self):
        return self._text


def _asked(op):
    """RemoteObject's `__op__`: asked of the kernel (the student's own semantics, not the grader's)."""

    def method(self, *args):
        return self._ask(op, *args)

    method.__name__ = f"__{op}__"
    return method


ASKED = ("len", "getitem", "contains", "bool", "str", "int", "float", "hash", "eq", "ne", "lt", "le", "gt", "ge")
for _op in ASKED:
    setattr(RemoteObject, f"__{_op}__", _asked(_op))


def _refuse_changed_arguments(name, args, after):
    """The function got copies; one it changed in place is a wrong answer, said so plainly.

    Arrays are compared, alone or in the dicts and lists that hold them (a network's
    parameters). The grader's own values never change, so no expected value is computed
    from a student's overwritten input."""
    for n, (arg, changed) in enumerate(zip(args, after), 1):
        where = _first_change(arg, changed)
        if where is not None:
            raise StudentError(
                f"{name} changed its input array (argument {n}{where}) in place: "
                "compute the result in new arrays and leave the input as it was"
            )


def _first_change(before, after, where=""):
    """Where `after` differs from `before` ("" for the whole value), or None; only arrays and
    the containers holding them are compared."""
    if isinstance(before, np.ndarray):
        same = isinstance(after, np.ndarray) and np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
        return None if same else where
    if isinstance(before, dict) and isinstance(after, dict):
        if before.keys() != after.keys():
            return f"{where}, its keys"
        pairs = [(f"{where}[{k!r}]", before[k], after[k]) for k in before]
    elif isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            return f"{where}, its length"
        pairs = [(f"{where}[{i}]", b, a) for i, (b, a) in enumerate(zip(before, after))]
    else:
        return None
    for inner, b, a in pairs:
        change = _first_change(b, a, inner)
        if change is not None:
            return change
    return None


class KernelNamespace(dict):
    """otter calls `.get(name)` for each test parameter; answer from the kernel.

    `kernel` is anything with `ask(request) -> (reply, arrays)` (grading.kernel.GradingKernel).
    """

    def __init__(self, kernel, max_model_parameters):
        super().__init__()
        self.kernel, self.max_model_parameters = kernel, max_model_parameters
        self._failed = {}  # name -> the exception reading it raised (take), raised again for each test that asks
        self._decoders = {
            "missing": lambda node, arrays, default: default,
            "py": lambda node, arrays, default: node["v"],
            "list": lambda node, arrays, default: [self._value(v, arrays) for v in node["v"]],
            "tuple": lambda node, arrays, default: tuple(self._value(v, arrays) for v in node["v"]),
            "dict": lambda node, arrays, default: {k: self._value(v, arrays) for k, v in node["v"].items()},
            "array": lambda node, arrays, default: arrays[node["k"]][()] if node["scalar"] else arrays[node["k"]],
            "model": self._model,
            "function": lambda node, arrays, default: RemoteFunction(self, node["name"]),
            "object": lambda node, arrays, default: RemoteObject(
                self, int(node["h"]), str(node.get("type", "object"))[:100], str(node.get("repr", ""))[:300]
            ),
            "set": lambda node, arrays, default: (frozenset if node.get("frozen") else set)(
                self._value(v, arrays) for v in node["v"]
            ),
            "module": lambda node, arrays, default: graders_module(str(node["name"])),
            "frame": self._frame,
            "series": self._series,
            "index": self._index,
        }

    def take(self, names):
        """Read every value in `names` now, before any test calls the student's code: what a test
        reads (a trained network, a model) is what the notebook made, whatever the functions that
        earlier tests call do in the kernel. A value that cannot be read fails each test that asks."""
        for name in sorted(names):
            try:
                self.get(name)
            except Exception as e:  # StudentError, or a model the grader refuses to rebuild
                self._failed[name] = e

    def get(self, name, default=None):
        if name in self._failed:
            raise self._failed[name]
        if name not in self:
            reply, arrays = self.kernel.ask({"op": "get", "name": name, "args": (), "kwargs": {}})
            self[name] = self.decode(reply, arrays, default)
        return self[name]

    def decode(self, reply, arrays, default=None):
        """The value a reply carries; StudentError if the student's code raised."""
        if reply["error"]:
            kind, message, *where = reply["error"]
            raise _AS_RAISED.get(kind, StudentError)(f"{kind}: {message}", _frames(where[0] if where else []))
        return self._value(reply["value"], arrays, default)

    def _value(self, node, arrays, default=None):
        decoder = self._decoders.get(node.get("t"))
        if decoder is None:
            raise StudentError(f"the kernel's answer is malformed: a value of no known kind ({node.get('t')!r})")
        return decoder(node, arrays, default)

    def _series(self, node, arrays, default=None):
        import pandas as pd

        index = self._index(node["index"], arrays)
        return pd.Series(self._value(node["v"], arrays), index=index, name=node.get("name"), dtype=_dtype(node))

    def _index(self, node, arrays, default=None):
        import pandas as pd

        return pd.Index(self._value(node["v"], arrays), name=node.get("name"), dtype=_dtype(node))

    def _frame(self, node, arrays, default=None):
        import pandas as pd

        columns = [self._series(column, arrays) for column in node["columns"]]
        frame = pd.concat(columns, axis=1) if columns else pd.DataFrame()
        return frame.set_axis(self._index(node["index"], arrays), axis=0)

    def _model(self, node, arrays, default):
        weights = [arrays[k] for k in node["weights"]]
        return rebuild_model(node["config"], weights, node["compiled"], self.max_model_parameters)


# The student's exception as the builtin it was too, so that a test's `pytest.raises(KeyError)`,
# `hasattr` and `list()` (which asks `len` first) see it as they would in the student's kernel.
_AS_RAISED = {
    kind.__name__: type(kind.__name__, (StudentError, kind), {})
    for kind in (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError, StopIteration)
}


def _dtype(node):
    """A pandas dtype the grader rebuilds a column with: numbers and booleans as they were; the rest inferred."""
    dtype = str(node.get("dtype", ""))
    return dtype if dtype.startswith(("int", "uint", "float", "bool")) else None


def graders_module(name):
    """The grader's own import of a module the notebook imported (`np` for numpy): a standard or an
    installed one only, never a file of the student's; any other reaches the test as an Opaque saying why."""
    top = name.partition(".")[0]
    known = top in sys.stdlib_module_names or top in importlib.metadata.packages_distributions()
    if not known or top in _SIDE_EFFECTS:
        return Opaque("module", f"{name}: not a standard or installed module the grader may import")
    try:
        return importlib.import_module(name)
    except Exception as e:
        return Opaque("module", f"{name}: the grader could not import it ({type(e).__name__})")


_SIDE_EFFECTS = {"antigravity", "this", "turtle", "tkinter", "idlelib"}  # importing them does things


def _frames(frames):
    """The kernel's frames ([cell's first line, line number, line, function], at most 3), as text
    and numbers only: the kernel is the student's."""
    if not isinstance(frames, list):
        return []
    fields = [f for f in frames[-3:] if isinstance(f, list) and len(f) == 4]
    return [
        [str(first)[:60], int(n) if isinstance(n, int) else 0, str(line)[:200], str(name)[:60]]
        for first, n, line, name in fields
    ]


def decode_reply(data, max_bytes):
    """A reply's (JSON, arrays), read safely: numeric arrays only (no pickle), and no bigger than
    `max_bytes` unpacked; else the test that asked fails."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            size = max(len(data), sum(i.file_size for i in npz.zip.infolist()))
            if size > max_bytes:
                raise StudentError(
                    f"the value is too large for the grader to take in: {size / 2**20:.0f} MB, "
                    f"the limit is {max_bytes / 2**20:.0f} MB"
                )
            arrays = {k: npz[k] for k in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile) as e:
        raise StudentError(f"the kernel's answer is malformed: {e}") from None
    try:
        return json.loads(arrays.pop("reply").tobytes().decode()), arrays
    except (KeyError, ValueError) as e:
        raise StudentError(f"the kernel's answer is malformed: {e}") from None

"""The grader's view of the student's kernel: variables and functions by name.

otter's exception-based tests look their parameters up by name in a mapping. Here that
mapping answers from the student's kernel: data arrives as plain values and arrays,
functions as `RemoteFunction`s that run in the kernel, Keras models rebuilt safely in
the grader (see safe_model). Assertions then run in the grader's own process, where
the student's code cannot reach them.
"""
import json
import os
import stat
import warnings

import numpy as np

from .safe_model import rebuild_model


class StudentError(Exception):
    """An exception raised by the student's code, re-raised in the grader."""


class Opaque:
    """A student value the grader does not take in (an arbitrary object)."""

    def __init__(self, type_name, text):
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return f"<student's {self.type_name}: {self.text}>"


class RemoteFunction:
    """Calls a function of the student's notebook, in the student's kernel."""

    def __init__(self, kernel, name, config):
        self.kernel, self.__name__, self.config = kernel, name, config

    def __call__(self, *args, **kwargs):
        reply, arrays = self.kernel.ask({"op": "call", "name": self.__name__, "args": args, "kwargs": kwargs})
        for category, message in reply["warnings"]:
            warnings.warn(f"{category}: {message}", RuntimeWarning if "Warning" in category else UserWarning)
        _write_back(args, reply.get("args_after") or [], arrays)
        return decode(reply, arrays, self.kernel, self.config)

    def __reduce__(self):
        # As an argument to another student function, it unpickles as the kernel's own function.
        return (eval, (f"get_ipython().user_ns[{self.__name__!r}]",))

    def __repr__(self):
        return f"<student function {self.__name__}>"


def _write_back(args, after, arrays):
    """Arrays the student's function changed in place change here too, as in one process."""
    for arg, changed in zip(args, after):
        if changed is not None and isinstance(arg, np.ndarray) and arg.flags.writeable:
            if arrays[changed["k"]].shape == arg.shape:
                np.copyto(arg, arrays[changed["k"]], casting="unsafe")


class KernelNamespace(dict):
    """otter calls `.get(name)` for each test parameter; answer from the kernel."""

    def __init__(self, kernel, config):
        super().__init__()
        self.kernel, self.config = kernel, config

    def get(self, name, default=None):
        if name not in self:
            reply, arrays = self.kernel.ask({"op": "get", "name": name, "args": (), "kwargs": {}})
            self[name] = decode(reply, arrays, self.kernel, self.config, default)
        return self[name]


def decode(reply, arrays, kernel, config, default=None):
    if reply["error"]:
        kind, message = reply["error"]
        raise StudentError(f"{kind}: {message}")
    return _value(reply["value"], arrays, kernel, config, default)


def _value(node, arrays, kernel, config, default=None):
    kind = node["t"]
    if kind == "missing":
        return default
    if kind == "py":
        return node["v"]
    if kind in ("list", "tuple"):
        items = [_value(v, arrays, kernel, config) for v in node["v"]]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        return {k: _value(v, arrays, kernel, config) for k, v in node["v"].items()}
    if kind == "array":
        array = arrays[node["k"]]
        return array[()] if node["scalar"] else array
    if kind == "model":
        return rebuild_model(node["config"], [arrays[k] for k in node["weights"]], node["compiled"], config)
    if kind == "function":
        return RemoteFunction(kernel, node["name"], config)
    return Opaque(node.get("type", "object"), node.get("repr", ""))


def read_reply(path, max_bytes):
    """Load a reply file safely: a regular file (not a link), numeric arrays only (no pickle), bounded."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as e:
        raise StudentError(f"the kernel's answer could not be read: {e.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            raise StudentError(f"the kernel's answer is not a file of at most {max_bytes} bytes")
        try:
            with np.load(f, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (ValueError, OSError) as e:
            raise StudentError(f"the kernel's answer is malformed: {e}") from None
    try:
        return json.loads(arrays.pop("reply").tobytes().decode()), arrays
    except (KeyError, ValueError) as e:
        raise StudentError(f"the kernel's answer is malformed: {e}") from None

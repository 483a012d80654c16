"""The bridge's wire format, written down once.

The grader and the bridge's cell in the kernel talk over a Unix socket (channel.py,
kernel_side.serve), in frames: FRAME_HEADER bytes that give the frame's length, big-endian,
then the frame. A request (grader -> kernel) is a dill frame: `{"op": "get" | "call", "name",
"args", "kwargs", "max_bytes"}`, or `"h"` and another op for an object held in the kernel
(below); a bigger answer is an error instead. The kernel only unpickles what the grader sent.
A reply (kernel -> grader) is the bytes of an .npz file,
read with `allow_pickle=False`: the array `reply` holds UTF-8 JSON

    {"value": NODE, "error": None | [exception name, message, FRAMES],
     "warnings": [[category, message], ...], "args_after": [NODE | None, ...]}

where FRAMES are the student's own lines the exception passed, innermost last: [[the cell's
first line, the line's number in the cell, the line, the function's name], ...] (at most 3).

and every other array is numeric data that NODEs point to by key. A NODE is a dict whose
`t` is one of KINDS:

    missing   the name is not defined in the kernel
    py        None, bool, int, float or str: {"v": value}
    list      {"v": [NODE, ...]}            (also: tuple)
    dict      {"v": {str: NODE}}
    array     {"k": array key, "scalar": bool}  (numpy arrays, numpy scalars, tensors)
    model     {"config": Keras JSON, "weights": [array key, ...], "compiled": bool}
    set       {"v": [NODE, ...], "frozen": bool}
    module    {"name": its __name__}: the grader imports its own (a standard or installed one)
    frame     {"columns": [series NODE, ...], "index": index NODE}   (a pandas DataFrame)
    series    {"v": NODE, "index": index NODE, "name": py, "dtype": text}   (a pandas Series)
    index     {"v": NODE, "name": py, "dtype": text}   (a pandas Index)
    function  {"name": name in the kernel}: the grader calls it there
    object    {"h": handle, "type": class name, "repr": text}: anything else, held in the kernel;
              the grader uses it by requests {"op": OPERATION, "h": handle, "args"}: "call", and
              getattr, getitem, contains, len, iter (a list back), bool, str, int, float, hash,
              eq, ne, lt, le, gt, ge. An argument that is a held object unpickles as the kernel's own.

kernel_side.py cannot import this module (it runs in the student's kernel from its
source text), so tests check that both sides know exactly these kinds and frames.
"""

KINDS = (
    "missing",
    "py",
    "list",
    "tuple",
    "dict",
    "set",
    "array",
    "model",
    "module",
    "frame",
    "series",
    "index",
    "function",
    "object",
)
FRAME_HEADER = 8

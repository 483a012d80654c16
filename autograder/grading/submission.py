"""Reading what a student handed in: a notebook, or the zip from `grader.export()`.

Anything else gets a one-line reason (`SubmissionError`) that ends up in the results
file, never a traceback alone. This is the one place a student's notebook is parsed
(grading, similarity and Gradescope all come here), so its bounds hold for all of them.
"""

import json
import re
import zipfile
from pathlib import Path

import nbformat

from autograder.errors import SubmissionError

MAX_BYTES = 200 * 1024 * 1024
# Arrays and objects nested deeper than this are refused before parsing: the parsers and
# everything after them (nbformat, deepcopy, the writers) recurse once or more per level,
# so a file nested 100,000 deep would end the grading in a RecursionError. Jupyter's own
# notebooks nest about 10 deep; widget states and plot specs a few more.
MAX_DEPTH = 100
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")  # half of a character: JSON reads a pair as one
_NOT_A_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
# otter's metadata key, as a JSON key (a string that merely contains it is escaped: \"assignment_name\").
_ASSIGNMENT_NAME = re.compile(rb'(?<!\\)"assignment_name"\s*:\s*"([A-Za-z0-9_]{1,100})"')


def read_submission(path, assignment):
    """The submitted notebook (nbformat v4), from an .ipynb file or an export zip."""
    name, data = _notebook_bytes(path, assignment)
    return parse_notebook(data, name)


def assignment_named(path, assignment=None):
    """The assignment a submitted file names in otter's metadata (read without parsing the notebook:
    a class is sorted by it before grading); None if it names none, or is no notebook at all."""
    try:
        _, data = _notebook_bytes(path, assignment)
    except SubmissionError:
        return None
    match = _ASSIGNMENT_NAME.search(data)
    return match[1].decode("utf-8", "replace") if match else None


def _notebook_bytes(path, assignment):
    """(the notebook's file name, its bytes), from an .ipynb file or an export zip, within the bounds."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"{path} does not exist or is not a file")
    if path.stat().st_size == 0:
        raise SubmissionError(f"{path.name} is empty")
    if path.stat().st_size > MAX_BYTES:
        raise SubmissionError(f"{path.name} is larger than {MAX_BYTES // 2**20} MB")
    if zipfile.is_zipfile(path):
        try:
            return _notebook_in_zip(path, assignment)
        except (zipfile.BadZipFile, OSError) as e:
            raise SubmissionError(f"{path.name} is a damaged zip: {e}") from None
    return path.name, path.read_bytes()


def parse_notebook(data, name):
    """The notebook in `data` (bytes): UTF-8 text (Jupyter writes nothing else), bounded in depth, JSON."""
    if not data.strip():
        raise SubmissionError(f"{name} is empty")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # a BOM, as some editors write
    except UnicodeDecodeError as e:
        raise SubmissionError(
            f"{name} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); save it again from Jupyter"
        ) from None
    if _deeper_than(MAX_DEPTH, data):
        raise SubmissionError(
            f"{name} is not a Jupyter notebook: its JSON is nested too deeply (more than {MAX_DEPTH} levels)"
        )
    try:
        content = json.loads(text)
    except ValueError:
        raise SubmissionError(f"{name} is not a Jupyter notebook (it is not JSON)") from None
    if not isinstance(content, dict) or ("cells" not in content and "worksheets" not in content):
        raise SubmissionError(f"{name} is JSON but not a Jupyter notebook (it has no cells)")
    _refuse_lone_surrogates(content, name)
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as e:
        raise SubmissionError(f"{name} is not a valid Jupyter notebook: {str(e).splitlines()[0]}") from None


def _refuse_lone_surrogates(content, name):
    """JSON may escape half of a character (`\\ud83d` without its pair), which no kernel, parser or
    report can encode: refused, saying where, before anything reads it."""
    cells = content.get("cells") if isinstance(content.get("cells"), list) else []
    places = [(_cell_named(i, cell), cell) for i, cell in enumerate(cells, 1)]
    places += [(f"its {key!r}", value) for key, value in content.items() if key != "cells"]
    for where, value in places:
        found = _SURROGATE.search(json.dumps(value, ensure_ascii=False))
        if found:
            raise SubmissionError(
                f"{name} holds text that is not valid Unicode (a lone surrogate "
                f"{found[0].encode('unicode_escape').decode()} in {where}): delete the broken character "
                "(half of an emoji, say) and save the notebook again"
            )


def _cell_named(number, cell):
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    source = "".join(source) if isinstance(source, list) else str(source)
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return f"cell {number}, which starts {first[:40]!r}" if first else f"cell {number}"


def _deeper_than(limit, data):
    """Whether JSON `data` nests arrays and objects more than `limit` deep, counting without parsing:
    the brackets outside strings only, each string skipped whole by the regex (a scan in C)."""
    depth = 0
    for byte in _STRING.sub(b"", data).translate(None, _NOT_A_BRACKET):
        depth += 1 if byte in b"[{" else -1
        if depth > limit:
            return True
    return False


def _notebook_in_zip(path, assignment):
    with zipfile.ZipFile(path) as z:
        notebooks = [
            n for n in z.namelist() if n.endswith(".ipynb") and "__MACOSX" not in n and ".ipynb_checkpoints" not in n
        ]
        if not notebooks:
            raise SubmissionError(f"{path.name} contains no notebook (.ipynb)")
        if len(notebooks) > 1:
            named = [n for n in notebooks if Path(n).name == f"{assignment}.ipynb"]
            if len(named) != 1:
                raise SubmissionError(f"{path.name} contains several notebooks: {', '.join(sorted(notebooks))}")
            notebooks = named
        info = z.getinfo(notebooks[0])
        if info.file_size > MAX_BYTES:
            raise SubmissionError(f"{notebooks[0]} in {path.name} is larger than {MAX_BYTES // 2**20} MB")
        return notebooks[0], z.read(notebooks[0])

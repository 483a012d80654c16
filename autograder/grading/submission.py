"""Reading what a student handed in: a notebook, or the zip from `grader.export()`.

Anything else gets a one-line reason (`SubmissionError`) that ends up in the results
file, never a traceback alone.
"""

import json
import zipfile
from pathlib import Path

import nbformat

from autograder.errors import SubmissionError

MAX_BYTES = 200 * 1024 * 1024


def read_submission(path, assignment):
    """The submitted notebook (nbformat v4), from an .ipynb file or an export zip."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"{path} does not exist or is not a file")
    if path.stat().st_size == 0:
        raise SubmissionError(f"{path.name} is empty")
    if path.stat().st_size > MAX_BYTES:
        raise SubmissionError(f"{path.name} is larger than {MAX_BYTES // 2**20} MB")
    if zipfile.is_zipfile(path):
        try:
            name, data = _notebook_in_zip(path, assignment)
        except (zipfile.BadZipFile, OSError) as e:
            raise SubmissionError(f"{path.name} is a damaged zip: {e}") from None
    else:
        name, data = path.name, path.read_bytes()
    return parse_notebook(data, name)


def parse_notebook(data, name):
    if not data.strip():
        raise SubmissionError(f"{name} is empty")
    try:
        content = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise SubmissionError(f"{name} is not a Jupyter notebook (it is not JSON)") from None
    if not isinstance(content, dict) or ("cells" not in content and "worksheets" not in content):
        raise SubmissionError(f"{name} is JSON but not a Jupyter notebook (it has no cells)")
    try:
        return nbformat.reads(data, as_version=4)
    except Exception as e:
        raise SubmissionError(f"{name} is not a valid Jupyter notebook: {str(e).splitlines()[0]}") from None


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

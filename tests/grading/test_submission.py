"""Reading a submission's bytes: UTF-8 only, nesting bounded before any parser sees it."""

import codecs
import json
import zipfile

import nbformat
import pytest

from autograder.errors import SubmissionError
from autograder.grading.submission import MAX_DEPTH, parse_notebook, read_submission


def _nested(levels):
    """A notebook whose JSON nests exactly `levels` deep (the notebook itself is the first level)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["x"] = json.loads("[" * (levels - 2) + "]" * (levels - 2))
    return nbformat.writes(nb).encode()


def test_nesting_up_to_the_bound_is_read_and_one_more_level_is_refused():
    assert parse_notebook(_nested(MAX_DEPTH), "ok.ipynb").metadata["x"]
    with pytest.raises(
        SubmissionError, match=rf"deep.ipynb is not a Jupyter notebook: .* \(more than {MAX_DEPTH} levels"
    ):
        parse_notebook(_nested(MAX_DEPTH + 1), "deep.ipynb")


def test_brackets_in_strings_do_not_count():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('x = "[" * 500  # \\"[[[[' + "[" * 500)]
    assert parse_notebook(nbformat.writes(nb).encode(), "brackets.ipynb").cells[0].source.endswith("[[[")


def test_a_deep_notebook_in_an_export_zip_is_refused(tmp_path):
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as z:
        z.writestr("deep_learning_primer.ipynb", b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(SubmissionError, match="nested too deeply"):
        read_submission(export, "deep_learning_primer")


def test_not_utf8_names_the_byte_and_its_offset_and_a_bom_is_read():
    data = _nested(3)
    at = data.index(b"[]")
    with pytest.raises(SubmissionError, match=rf"^n.ipynb is not UTF-8 text \(byte 0xe9 at offset {at}\); save it"):
        parse_notebook(data[:at] + b"\xe9" + data[at:], "n.ipynb")
    assert parse_notebook(codecs.BOM_UTF8 + data, "bom.ipynb").nbformat == 4


@pytest.mark.parametrize(
    ("where", "named"),
    [("source", "cell 2, which starts 'y = 2  # done"), ("outputs", "cell 2, which starts 'y = 2"), ("meta", "its")],
)
def test_half_an_emoji_is_refused_naming_where_and_a_whole_one_is_read(where, named):
    """A lone surrogate is valid JSON (`\\ud83d`) and no valid text: nothing after this could encode it."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("y = 2  # done 😀")]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="😀")]
    nb.metadata["note"] = "😀"
    text = json.dumps(nb)  # ASCII: the emoji as the escaped pair \ud83d\ude00
    assert parse_notebook(text.encode(), "whole.ipynb").cells[1].source.endswith("😀")
    part = {"source": '"source": "y', "outputs": '"text": "', "meta": '"note": "'}[where]
    start = text.index(part) + len(part)
    end = text.index("\\ude00", start) + len("\\ude00")
    half = text[:start] + text[start:end].replace("\\ude00", "") + text[end:]
    with pytest.raises(SubmissionError, match="not valid Unicode") as caught:
        parse_notebook(half.encode(), "half.ipynb")
    assert "a lone surrogate \\ud83d in " + named in str(caught.value), str(caught.value)

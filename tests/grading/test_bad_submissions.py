"""Bad input gets a one-line reason and a valid results.json, never a traceback alone."""

import json
import zipfile

import nbformat
import pytest

from autograder.contract import Status
from autograder.grading.grade import Kernels, grade_submission
from tests.helpers import FOR_THE_PRIMER, run_cli, valid_results


def _wrong_assignment(path, built):
    nb = nbformat.read(built, as_version=4)
    nb.metadata.otter.assignment_name = "module3_transformers"
    nbformat.write(nb, path)


def _zip(path, names, built):
    with zipfile.ZipFile(path, "w") as z:
        for name in names:
            z.writestr(name, built.read_text())
        z.writestr("notes.txt", "hello")


def _latin1(path, built):
    """A valid notebook but for one byte: an editor saved "é" as Latin-1."""
    path.write_bytes(built.read_bytes().replace(b'"cells": [', b'"x": "caf\xe9", "cells": [', 1))


def _deep(path, built):
    """Valid JSON whose metadata nests 100,000 lists deep: the parsers' recursion must never see it."""
    path.write_text(
        '{"cells": [], "metadata": {"x": ' + "[" * 100_000 + "]" * 100_000 + '}, "nbformat": 4, "nbformat_minor": 5}'
    )


def _unrelated_notebook(path, built):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# My own project"), nbformat.v4.new_code_cell("print('hello')")]
    nbformat.write(nb, path)


CASES = {
    "unrelated.ipynb": (_unrelated_notebook, "does not match the assignment"),
    "empty.ipynb": (lambda p, b: p.write_bytes(b""), "is empty"),
    "garbage.ipynb": (
        lambda p, b: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00"),
        "is not UTF-8 text (byte 0x89 at offset 0)",
    ),
    "text.ipynb": (lambda p, b: p.write_text("my answers: 42\n"), "not JSON"),
    "latin1.ipynb": (_latin1, "is not UTF-8 text (byte 0xe9 at offset "),
    "deep.ipynb": (_deep, "its JSON is nested too deeply (more than 100 levels)"),
    "list.ipynb": (lambda p, b: p.write_text(json.dumps([1, 2, 3])), "not a Jupyter notebook"),
    "wrong.ipynb": (_wrong_assignment, "module3_transformers"),
    "nothing.zip": (lambda p, b: _zip(p, [], b), "contains no notebook"),
    "several.zip": (lambda p, b: _zip(p, ["a.ipynb", "b.ipynb"], b), "several notebooks"),
    "missing.ipynb": (lambda p, b: None, "does not exist"),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_submission_is_not_graded_and_says_why(tmp_path, built, config, sandbox, name):
    """Rejected before any kernel starts: the grader's own verdict, in milliseconds."""
    make, reason = CASES[name]
    make(tmp_path / name, built)
    with Kernels(config, sandbox) as kernels:  # never warmed: no kernel starts unless one is needed
        result = grade_submission(tmp_path / name, config, kernels)
    assert result.status is Status.NOT_GRADED and result.score == 0 and reason in result.error
    assert all(t.message == result.error for q in result.questions for t in q.tests)


@pytest.mark.parametrize("name", ["text.ipynb", "deep.ipynb"])
def test_the_command_line_prints_one_error_line_and_writes_results(tmp_path, built, name):
    """Graded isolated, as a class grades it: the deep file once crashed the grading child."""
    make, reason = CASES[name]
    make(tmp_path / name, built)
    result = run_cli("grade", tmp_path / name, "--out", tmp_path / "out", *FOR_THE_PRIMER)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and reason in error_lines[0], result.stderr
    results = valid_results(tmp_path / "out" / "results.json")
    assert results["score"] == 0 and reason in results["output"]
    assert json.loads((tmp_path / "out" / "grade.json").read_text())["status"] == Status.NOT_GRADED


def test_a_kit_error_is_one_line_with_exit_code_2(tmp_path, built):
    bad = tmp_path / "grading_config.yml"
    bad.write_text("assignment: [not, a, name]\n")
    result = run_cli("grade", built, "--config", bad, "--out", tmp_path / "out")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("files", [{}, {"deep_learning_primer.ipynb": b"{not json"}, {"renamed.ipynb": b""}])
def test_gradescope_run_always_writes_valid_results(tmp_path, built, config, files):
    from autograder.lms.gradescope import run

    (tmp_path / "submission").mkdir()
    for name, data in files.items():
        (tmp_path / "submission" / name).write_bytes(data)
    result = run(config, root=tmp_path)
    results = valid_results(tmp_path / "results" / "results.json")
    assert result.error and results["score"] == 0

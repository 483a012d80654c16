"""The command line an instructor meets: a mistake is one line and exit code 2, and writes nothing."""

import os
import socket

import pytest

from tests.helpers import FOR_THE_PRIMER, run_cli


def one_line_error(run, *words):
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("error: "), run.stderr
    for word in words:
        assert word in run.stderr, run.stderr


def test_a_mistyped_path_is_an_error_and_writes_nothing(tmp_path):
    run = run_cli("grade", tmp_path / "clas", "--out", tmp_path / "out")
    one_line_error(run, "no such file or folder", "clas")
    assert not (tmp_path / "out").exists()


def test_a_class_with_no_notebooks_is_an_error_naming_what_was_ignored(tmp_path):
    (tmp_path / "class").mkdir()
    one_line_error(run_cli("grade", tmp_path / "class", "--out", tmp_path / "out"), "no submissions")
    (tmp_path / "class" / "alice.py").write_text("print()")
    (tmp_path / "class" / "bob.pdf").write_bytes(b"%PDF")
    run = run_cli("grade", tmp_path / "class", "--out", tmp_path / "out")
    one_line_error(run, "no submissions", "alice.py: not a notebook", "bob.pdf")
    assert not (tmp_path / "out").exists()


def test_missing_mnist_is_an_error_before_anything_is_written(tmp_path):
    (tmp_path / "x.ipynb").write_text("{}")
    env = {**os.environ, "MNIST_PATH": str(tmp_path / "mnist.npz")}
    run = run_cli("grade", tmp_path / "x.ipynb", "--out", tmp_path / "out", *FOR_THE_PRIMER, env=env)
    one_line_error(run, "MNIST_PATH")
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_an_error_before_anything_is_written(tmp_path):
    (tmp_path / "x.ipynb").write_text("{}")
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{unused.getsockname()[1]}"
        run = run_cli("grade", tmp_path / "x.ipynb", "--out", tmp_path / "out", *FOR_THE_PRIMER, "--scheduler", address)
    one_line_error(run, f"cannot reach the Dask scheduler at {address}")
    assert not (tmp_path / "out").exists()


def test_an_unknown_question_or_student_to_regrade_is_an_error(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ann.ipynb").write_text("{ not a notebook")
    out = tmp_path / "out"
    run = run_cli("grade", folder, "--out", out, *FOR_THE_PRIMER, "--questions", "activation")
    one_line_error(run, "no question activation")
    assert run_cli("grade", folder, "--out", out, *FOR_THE_PRIMER).returncode == 0
    run = run_cli("grade", folder, "--out", out, *FOR_THE_PRIMER, "--regrade", "anne")
    one_line_error(run, "no submission of anne", "ann")


def test_a_file_named_like_an_option_is_graded(tmp_path):
    (tmp_path / "-rf.ipynb").write_text("{ not a notebook")
    run = run_cli("grade", "-rf.ipynb", "--out", "out", *FOR_THE_PRIMER, cwd=tmp_path)
    assert run.returncode == 1 and "not a Jupyter notebook" in run.stderr, run.stdout + run.stderr
    assert (tmp_path / "out" / "results.json").is_file()


@pytest.mark.parametrize("command", ["grade", "mutants", "calibrate"])
def test_help_shows_the_defaults_that_exist(command):
    run = run_cli(command, "--help")
    assert run.returncode == 0 and "(default: dist/" in run.stdout, run.stdout
    assert "(default: None)" not in run.stdout and "(default: False)" not in run.stdout


def test_a_damaged_zip_or_an_invalid_notebook_is_a_one_line_reason(tmp_path, built):
    import json
    import zipfile

    with zipfile.ZipFile(tmp_path / "crc.zip", "w") as z:
        z.writestr("deep_learning_primer.ipynb", built.read_text())
    data = bytearray((tmp_path / "crc.zip").read_bytes())
    data[data.find(b'"cells"') + 2] ^= 0x20  # one bit of the stored notebook: its CRC no longer matches
    (tmp_path / "crc.zip").write_bytes(bytes(data))
    invalid = {"cells": [{"cell_type": "code", "source": 5}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "invalid.ipynb").write_text(json.dumps(invalid))
    for name, reason in [("crc.zip", "damaged zip: Bad CRC-32"), ("invalid.ipynb", "not a valid Jupyter notebook")]:
        run = run_cli("grade", tmp_path / name, "--out", tmp_path / name.replace(".", "_"), *FOR_THE_PRIMER)
        assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr, run.stderr
        assert run.stderr.count("\n") == 1 and reason in run.stderr, run.stderr


def test_a_notebook_that_names_no_assignment_asks_which_one(tmp_path):
    """The course has two: a notebook without otter's metadata, and named like neither, is not guessed."""
    (tmp_path / "x.ipynb").write_text("{ not a notebook")
    run = run_cli("grade", tmp_path / "x.ipynb", "--out", tmp_path / "out")
    one_line_error(run, "--assignment (backprop_spiral, deep_learning_primer)")
    assert not (tmp_path / "out").exists()

"""The sandbox is required: without bwrap, grading refuses in one line unless --trusted; doctor says why."""

import os

from tests.helpers import FOR_THE_PRIMER, run_cli


def test_doctor_says_the_sandbox_works_here():
    run = run_cli("doctor")
    assert run.returncode == 0 and "sandbox: works" in run.stdout, run.stdout + run.stderr


def test_without_bwrap_grading_refuses_in_one_line_and_writes_nothing(tmp_path):
    (tmp_path / "x.ipynb").write_text("{}")
    bare = {**os.environ, "PATH": str(tmp_path)}  # no bwrap on the PATH
    run = run_cli("grade", tmp_path / "x.ipynb", "--out", tmp_path / "out", *FOR_THE_PRIMER, env=bare, timeout=120)
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "no sandbox for student code" in run.stderr and "--trusted" in run.stderr
    assert not (tmp_path / "out").exists()
    doctor = run_cli("doctor", env=bare, timeout=120)
    assert doctor.returncode == 1 and "bwrap: not found" in doctor.stdout


def test_trusted_grades_without_the_sandbox(tmp_path):
    (tmp_path / "x.ipynb").write_text("{ not a notebook")
    bare = {**os.environ, "PATH": str(tmp_path)}
    out = tmp_path / "out"
    run = run_cli("grade", tmp_path / "x.ipynb", "--out", out, *FOR_THE_PRIMER, "--trusted", env=bare, timeout=300)
    assert run.returncode == 1 and "not a Jupyter notebook" in run.stderr, run.stderr
    assert (tmp_path / "out" / "results.json").exists()

"""A whole class in one command: every submission gets a row, a reason and feedback."""

import csv
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from autograder import ROOT
from tests.catalogue import CLASS, write
from tests.helpers import headless_chromium, kit_fingerprint, own_temp, run_cli, valid_results

pytestmark = pytest.mark.slow


def leftovers(temp):
    """Kernels or temporary folders that a grading under `temp` left behind."""
    folders = list(temp.iterdir())
    kernels = [p for p in psutil.process_iter(["cmdline"]) if str(temp) in " ".join(p.info["cmdline"] or [])]
    return folders, kernels


IN_GRADEBOOK = [name for name, (_, status, _) in CLASS.items() if status != "ignored"]


def rows(out):
    with open(out / "gradebook.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_the_class_run_succeeds(class_run):
    assert class_run["run"].returncode == 0, class_run["run"].stdout + class_run["run"].stderr


@pytest.mark.parametrize("name", CLASS)
def test_each_submission_has_a_row_with_the_expected_outcome(class_run, name):
    _, status, total = CLASS[name]
    if status == "ignored":  # a notebook of another assignment: listed with why, no row
        assert Path(name).stem not in rows(class_run["out"])
        assert f"{name}: a notebook of the assignment 'module3_transformers'" in class_run["run"].stdout
        return
    row = rows(class_run["out"])[Path(name).stem]
    assert row["status"] == status, row
    if total is not None:
        assert float(row["total"]) == total, row
    if status != "graded":
        assert row["error"], row


def test_lms_downloads_are_in_the_same_gradebook(class_run):
    book = rows(class_run["out"])
    assert book["lovelaceada_4711"]["status"] == "graded" and book["turingalan_4712"]["status"] == "not graded"
    assert book["1815"]["name"] == "Ada Lovelace" and book["1912"]["status"] == "not graded"
    assert len(book) == len(IN_GRADEBOOK) + 4


def test_each_submission_has_results_and_feedback(class_run):
    for folder in (class_run["out"] / "students").iterdir():
        results = valid_results(folder / "results.json")
        feedback = (folder / "feedback.html").read_text()
        assert f"{results['score']:.2f}" in feedback
        assert "test_extreme_inputs_are_stable" not in feedback  # hidden test names stay hidden by default
    assert "Ada Lovelace" in (class_run["out"] / "students" / "1815" / "feedback.html").read_text()


def test_nothing_is_left_behind_and_the_kit_is_unchanged(class_run):
    assert kit_fingerprint() == class_run["kit_before"]
    folders, kernels = leftovers(class_run["temp"])
    assert not folders and not kernels
    import site

    assert not any(Path(d, "kit_probe.pth").exists() for d in site.getsitepackages())


def test_canvas_import_file(class_run):
    with open(class_run["out"] / "canvas_grades.csv", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "deep_learning_primer"]
    assert lines[1][0] == "Points Possible" and lines[1][-1] == "10"
    assert ["lovelaceada", "4711", "", "", "", "0"] in lines[2:]
    assert len(lines) == 2 + 4  # the LMS downloads; the folder's files have no Canvas user ID, and are named
    assert "without a Canvas user ID left out" in class_run["run"].stderr


def test_class_summary(class_run):
    out = class_run["out"]
    html = (out / "summary.html").read_text()
    assert f"{len(IN_GRADEBOOK) + 4} submissions" in html and "out of memory" in html
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_summary_renders_in_a_headless_browser(class_run, tmp_path):
    rendered = headless_chromium(class_run["out"] / "summary.html", tmp_path)
    if rendered is None:
        pytest.skip("no Chromium on this machine (.ci/run installs it)")
    shot, dom = rendered
    assert 'id="questions"' in dom and "gradient_descent" in dom
    from PIL import Image

    image = Image.open(shot).convert("L")
    assert image.size == (1000, 900) and len(set(image.getdata())) > 20  # text and a plot, not a blank page


def test_running_again_resumes(class_run, lenient_config):
    stamps = {p: p.stat().st_mtime for p in (class_run["out"] / "students").glob("*/grade.json")}
    run = run_cli("grade", *class_run["paths"], "--out", class_run["out"], "-j", "2", "--config", lenient_config)
    assert run.returncode == 0, run.stderr
    assert {p: p.stat().st_mtime for p in stamps} == stamps
    assert len(rows(class_run["out"])) == len(IN_GRADEBOOK) + 4


def test_ctrl_c_keeps_finished_rows_and_leaves_nothing(tmp_path, built, lenient_config, class_run, strict_run):
    """After the background runs: two runs' tamper guards must not watch the kit at once."""
    folder = write(tmp_path / "folder", built, CLASS, ["judy.ipynb"])
    (folder / "ann.ipynb").write_text("{ not a notebook")  # done in a second, before judy
    out = tmp_path / "out"
    temp, env = own_temp(tmp_path)
    command = [
        sys.executable,
        "-m",
        "autograder",
        "--config",
        str(lenient_config),
        "grade",
        str(folder),
        "--out",
        str(out),
        "-j",
        "1",
    ]
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not ((out / "gradebook.csv").exists() and rows(out)):
        time.sleep(0.5)
    time.sleep(3)  # judy's infinite loop is running now
    child.send_signal(signal.SIGINT)
    child.wait(timeout=60)
    assert set(rows(out)) == {"ann"}
    folders, kernels = leftovers(temp)
    assert not folders and not kernels

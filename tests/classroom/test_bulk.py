"""A whole class in one command: every submission gets a row, a reason and feedback."""

import csv
import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import psutil
import pytest

from autograder import ROOT, package_files
from tests.classroom.catalogue import CLASS, write_class
from tests.classroom.test_collect import GRADESCOPE_METADATA
from tests.helpers import run_cli, valid_results

pytestmark = pytest.mark.slow

LIMITS = {
    "cell_timeout_seconds: 600": "cell_timeout_seconds: 10",
    "submission_timeout_seconds: 1800": "submission_timeout_seconds: 60",
    "memory_limit_mb: 6000": "memory_limit_mb: 4000",
}


def kit_fingerprint():
    files = sorted([*package_files(), ROOT / "grading_config.yml", *ROOT.glob("dist/*/tests/*.py")])
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def own_temp(root):
    """A run's own temporary root, so that only what this run left behind is counted."""
    temp = root / "tmp"
    temp.mkdir()
    return temp, {**os.environ, "TMPDIR": str(temp)}


def leftovers(temp):
    """Kernels or temporary folders that a grading under `temp` left behind."""
    folders = list(temp.iterdir())
    kernels = [p for p in psutil.process_iter(["cmdline"]) if str(temp) in " ".join(p.info["cmdline"] or [])]
    return folders, kernels


@pytest.fixture(scope="module")
def test_config(tmp_path_factory, config):
    text = config.path.read_text()
    for old, new in LIMITS.items():
        text = text.replace(old, new)
    path = tmp_path_factory.mktemp("config") / "grading_config.yml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory, built, test_config):
    root = tmp_path_factory.mktemp("class")
    folder = write_class(root / "folder", built)
    with zipfile.ZipFile(root / "canvas.zip", "w") as z:
        z.writestr("lovelaceada_4711_998877_deep_learning_primer.ipynb", built.read_text())
        z.writestr("turingalan_LATE_4712_998878_deep_learning_primer.ipynb", "not a notebook")
    with zipfile.ZipFile(root / "gradescope.zip", "w") as z:
        z.writestr("assignment_5_export/submission_metadata.yml", GRADESCOPE_METADATA)
        z.writestr("assignment_5_export/submission_101/deep_learning_primer.ipynb", built.read_text())
        z.writestr("assignment_5_export/submission_102/deep_learning_primer.ipynb", "")
    before = kit_fingerprint()
    temp, env = own_temp(root)
    started = time.monotonic()
    run = run_cli(
        "--config",
        test_config,
        "grade",
        folder,
        root / "canvas.zip",
        root / "gradescope.zip",
        "--out",
        root / "out",
        "-j",
        "2",
        "--canvas-csv",
        env=env,
    )
    return {
        "run": run,
        "out": root / "out",
        "seconds": time.monotonic() - started,
        "temp": temp,
        "kit_before": before,
        "paths": [folder, root / "canvas.zip", root / "gradescope.zip"],
    }


def rows(out):
    with open(out / "gradebook.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_the_class_run_succeeds(graded):
    assert graded["run"].returncode == 0, graded["run"].stdout + graded["run"].stderr


@pytest.mark.parametrize("name", CLASS)
def test_each_submission_has_a_row_with_the_expected_outcome(graded, name):
    _, status, total = CLASS[name]
    row = rows(graded["out"])[Path(name).stem]
    assert row["status"] == status, row
    if total is not None:
        assert float(row["total"]) == total, row
    if status != "graded":
        assert row["error"], row


def test_lms_downloads_are_in_the_same_gradebook(graded):
    book = rows(graded["out"])
    assert book["lovelaceada_4711"]["status"] == "graded" and book["turingalan_4712"]["status"] == "not graded"
    assert book["1815"]["name"] == "Ada Lovelace" and book["1912"]["status"] == "not graded"
    assert len(book) == len(CLASS) + 4


def test_each_submission_has_results_and_feedback(graded):
    for folder in (graded["out"] / "students").iterdir():
        results = valid_results(folder / "results.json")
        feedback = (folder / "feedback.html").read_text()
        assert f"{results['score']:.2f}" in feedback
        assert "test_extreme_inputs_are_stable" not in feedback  # hidden test names stay hidden by default
    assert "Ada Lovelace" in (graded["out"] / "students" / "1815" / "feedback.html").read_text()


def test_nothing_is_left_behind_and_the_kit_is_unchanged(graded):
    assert kit_fingerprint() == graded["kit_before"]
    folders, kernels = leftovers(graded["temp"])
    assert not folders and not kernels
    assert "restored" in rows(graded["out"])["mallory"]["error"]
    assert "kit_probe.pth" in rows(graded["out"])["oscar"]["error"]
    import site

    assert not any(Path(d, "kit_probe.pth").exists() for d in site.getsitepackages())


def test_canvas_import_file(graded):
    with open(graded["out"] / "canvas_grades.csv", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "deep_learning_primer"]
    assert lines[1][0] == "Points Possible" and lines[1][-1] == "10"
    assert ["lovelaceada", "4711", "", "", "", "0"] in lines[2:]


def test_class_summary(graded):
    out = graded["out"]
    html = (out / "summary.html").read_text()
    assert f"{len(CLASS) + 4} submissions" in html and "out of memory" in html
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_summary_renders_in_a_headless_browser(graded, tmp_path):
    browser = next((b for b in ("chromium", "chromium-browser", "google-chrome") if _which(b)), None)
    if browser is None:
        pytest.skip("no Chromium on this machine (.ci/run installs it)")
    shot = tmp_path / "summary.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1000,900",
    ]
    page = (graded["out"] / "summary.html").as_uri()
    subprocess.run([browser, *flags, f"--screenshot={shot}", page], check=True, capture_output=True, timeout=120)
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    assert 'id="questions"' in dom and "gradient_descent" in dom
    from PIL import Image

    image = Image.open(shot).convert("L")
    assert image.size == (1000, 900) and len(set(image.getdata())) > 20  # text and a plot, not a blank page


def test_running_again_resumes(graded, test_config):
    stamps = {p: p.stat().st_mtime for p in (graded["out"] / "students").glob("*/grade.json")}
    run = run_cli("grade", *graded["paths"], "--out", graded["out"], "-j", "2", "--config", test_config)
    assert run.returncode == 0, run.stderr
    assert {p: p.stat().st_mtime for p in stamps} == stamps
    assert len(rows(graded["out"])) == len(CLASS) + 4


def test_ctrl_c_keeps_finished_rows_and_leaves_nothing(tmp_path, built, test_config):
    folder = write_class(tmp_path / "folder", built, ["carol.ipynb", "judy.ipynb"])
    out = tmp_path / "out"
    temp, env = own_temp(tmp_path)
    command = [
        sys.executable,
        "-m",
        "autograder",
        "--config",
        str(test_config),
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
    assert set(rows(out)) == {"carol"}
    folders, kernels = leftovers(temp)
    assert not folders and not kernels


def _which(name):
    import shutil

    return shutil.which(name)

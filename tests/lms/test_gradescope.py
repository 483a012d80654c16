"""The autograder zip, run the way Gradescope runs it.

The zip is unpacked into a tree laid out like /autograder, setup.sh runs for real (as
root, in a private mount namespace where that tree is /autograder), and run_autograder
grades each kind of submission. Needs root and `unshare`, as on CI.
"""

import hashlib
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import zipfile
from contextlib import suppress
from pathlib import Path

import nbformat
import psutil
import pytest

from autograder import ROOT
from autograder.assign.answers import fill_answers, solution_answers
from autograder.assign.build import build_one
from autograder.assign.gradescope_zip import write_zip
from autograder.config import load_config
from tests.attacks import ATTACKS, MUST_FAIL, attack_cell, attack_notebook, reports
from tests.helpers import QUICK_TRAINING, make_submission, valid_results
from tests.test_course import write_master

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare"),
]


def in_autograder(tree, command):
    """Run `command` with `tree` mounted at /autograder, as Gradescope's container has it."""
    script = f"mkdir -p /autograder && mount --bind {tree} /autograder && {command}"
    env = {
        **os.environ,
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    }  # the image's own Python
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=1800,
        env=env,
    )


@pytest.fixture(scope="module")
def image(tmp_path_factory, built, config):
    tree = tmp_path_factory.mktemp("gradescope") / "autograder"
    with zipfile.ZipFile(config.files.gradescope_zip) as z:
        z.extractall(tree / "source")
    for name in ("setup.sh", "run_autograder"):
        (tree / "source" / name).chmod(0o755)
    setup = in_autograder(tree, "bash /autograder/source/setup.sh")
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    return tree


def run(image, name, write, before="", metadata=None):
    for folder in ("submission", "results"):
        shutil.rmtree(image / folder, ignore_errors=True)
        (image / folder).mkdir()
        (image / folder).chmod(0o777)  # the worst a harness could hand over: the kit must not rely on it
    (image / "submission_metadata.json").write_text(
        json.dumps(metadata or {"created_at": "2026-11-24T10:00:00Z", "previous_submissions": []})
    )
    write(image / "submission" / name)
    finished = in_autograder(image, before + "/autograder/source/run_autograder")
    assert finished.returncode == 0, finished.stderr[-3000:]
    return valid_results(image / "results" / "results.json"), json.loads((image / "results" / "grade.json").read_text())


def shipped(image, **changes):
    """Change the settings the zip shipped (kit/assignment.json) in the image; returns what they were."""
    path = image / "source" / "kit" / "assignment.json"
    settings = json.loads(path.read_text())
    path.write_text(json.dumps({**settings, **changes}))
    return {name: settings[name] for name in changes}


def test_blank_notebook_gets_zero(image, built):
    results, _ = run(image, "deep_learning_primer.ipynb", lambda p: shutil.copyfile(built, p))
    assert results["score"] == 0 and len(results["tests"]) == 5


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("deep_learning_primer.ipynb", b"", "empty"),
        ("deep_learning_primer.ipynb", b"%PDF-1.4", "not JSON"),
        ("deep_learning_primer.ipynb", b'{"cells": [], "x": "caf\xe9"}', "not UTF-8 text (byte 0xe9 at offset 23)"),
        ("deep_learning_primer.ipynb", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("homework.txt", b"hello", "does not exist"),
    ],
)
def test_broken_submissions_get_a_results_page(image, name, data, reason):
    results, _ = run(image, name, lambda p: p.write_bytes(data))
    assert results["score"] == 0 and reason in results["output"]


def test_a_late_submission_has_the_late_policy_applied(image, built):
    """Gradescope's created_at against the assignment's due date; the cap policy: at most 50% of the points."""
    original = shipped(image, late_policy="cap")
    metadata = {
        "created_at": "2026-11-25T10:00:00.123456-08:00",
        "assignment": {"due_date": "2026-11-24T23:59:00.000000-08:00"},
        "previous_submissions": [],
    }
    try:
        results, grade = run(
            image,
            "deep_learning_primer.ipynb",
            lambda p: make_submission(p, built, mnist_accuracy="..."),  # no training: seconds, not a minute
            metadata=metadata,
        )
    finally:
        shipped(image, **original)
    tested = sum(q["score"] for q in grade["questions"])
    assert tested == 8 and results["score"] == 5, results["output"]  # the untrained model misses the target
    assert "1 day(s) late" in results["output"] and "at most 50% of the points" in results["output"]
    assert "Your grade: 5.00" in (image / "results" / "feedback.html").read_text()


def test_wrong_assignment(image, built):
    def write(path):
        nb = nbformat.read(built, as_version=4)
        nb.metadata.otter.assignment_name = "module3_transformers"
        nbformat.write(nb, path)

    results, _ = run(image, "renamed.ipynb", write)
    assert results["score"] == 0 and "module3_transformers" in results["output"]


def test_a_stuck_submission_times_out_with_a_results_page(image, built):
    original = shipped(image, submission_timeout_seconds=15)
    stuck = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(1)\n"
    try:
        results, grade = run(
            image, "deep_learning_primer.ipynb", lambda p: make_submission(p, built, activations=stuck)
        )
    finally:
        shipped(image, **original)
    assert grade["status"] == "timed out" and "timed out" in results["output"]


def test_the_zip_is_what_gradescope_expects(config):
    with zipfile.ZipFile(config.files.gradescope_zip) as z:
        names = z.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)
        assert z.getinfo("run_autograder").external_attr >> 16 & 0o111
        assert not any(n.endswith((".ipynb", ".yml")) and "solutions/" in n for n in names)  # no master, no mutants
        assert "kit/solutions/deep_learning_primer.py" in names  # its module: what grading it needs, no solution


# Containers without user namespaces (no bwrap), emulated: bwrap cannot run.
NO_BWRAP = "mount --bind /dev/null /usr/bin/bwrap && "
# A process that outlives its kernel, plants code where a root launcher would once have
# run it (the kernel's folder and above), then the kernel crashes and the grader starts a new one.
PLANT = """
import os, pathlib, time
for _ in range(240):
    for folder in (pathlib.Path.cwd(), *pathlib.Path.cwd().parents):
        try:
            (folder / "autograder").mkdir(exist_ok=True)
            (folder / "autograder" / "__init__.py").write_text("open('/autograder/results/pwned', 'w')")
        except OSError:
            pass
    time.sleep(0.5)
"""
SURVIVOR = f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', {PLANT!r}], start_new_session=True)\n"


def student_processes():
    """The student's processes that still run (a zombie runs nothing: init reaps it)."""
    uid = pwd.getpwnam("student").pw_uid
    processes = psutil.process_iter(["pid", "cmdline", "uids", "status"])
    return [p.info for p in processes if p.info["uids"].real == uid and p.info["status"] != psutil.STATUS_ZOMBIE]


@pytest.fixture
def plants_removed():
    """What PLANT leaves above the kernel's folder (/tmp/autograder), taken away after the test: a
    Python started in /tmp would import it (a real Gradescope container is thrown away instead)."""
    yield
    planted = Path(tempfile.gettempdir()) / "autograder"
    if planted.is_dir() and planted.owner() == "student":
        shutil.rmtree(planted)


def test_without_bwrap_a_surviving_process_is_killed_and_runs_nothing_as_root(image, built, plants_removed):
    """In a container without user namespaces, the `student` user is the boundary (with bwrap: the corpus test)."""

    def write(path):
        make_submission(path, built, mnist_accuracy=QUICK_TRAINING)
        nb = nbformat.read(path, as_version=4)
        nb.cells += [nbformat.v4.new_code_cell(SURVIVOR), nbformat.v4.new_code_cell("import os\nos._exit(1)")]
        nbformat.write(nb, path)

    results, grade = run(image, "deep_learning_primer.ipynb", write, NO_BWRAP)
    assert results["score"] == 8 and [e["name"] for e in grade["cell_errors"]] == ["KernelDied"]
    assert not (image / "results" / "pwned").exists() and not student_processes()


def test_no_student_user_no_grading(image, built, tmp_path):
    """Fail closed: without the unprivileged user, nothing of the student's runs, and results say why."""
    passwd = tmp_path / "passwd"
    hide = f"grep -v '^student:' /etc/passwd > {passwd} && mount --bind {passwd} /etc/passwd && "
    results, _ = run(image, "deep_learning_primer.ipynb", lambda p: make_submission(p, built), hide)
    assert results["score"] == 0 and "'student'" in results["output"] and "does not exist" in results["output"]


def test_the_attack_corpus_changes_nothing_on_gradescope(image, built, plants_removed):
    """Every attack of tests/attacks.py, a surviving process and an endless cell in one notebook,
    graded in the Gradescope layout: nothing changes, the endless cell is stopped at the cell limit."""
    kit = image / "source" / "kit"

    def fingerprint():
        files = sorted([*(kit / "autograder").rglob("*.py"), *(kit / "dist").rglob("*.py"), image / "data/mnist.npz"])
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

    def write(path):
        attack_notebook(path, built, paths, *[ATTACKS[name] for name in ATTACKS if name != "kill_all"])
        nb = nbformat.read(path, as_version=4)
        endless = nbformat.v4.new_code_cell("while True:\n    pass")
        # after the crash: it runs once, in the run that leaves the crashing cell out
        nb.cells += [nbformat.v4.new_code_cell(SURVIVOR), nbformat.v4.new_code_cell(ATTACKS["kill_all"]), endless]
        nbformat.write(nb, path)

    before = fingerprint()
    original = shipped(image, cell_timeout_seconds=15)
    try:
        with socket.create_server(("127.0.0.1", 0)) as listener:
            listener.settimeout(0.1)
            paths = {
                "KIT": "/autograder/source/kit",
                "HOME": "/root",
                "OUT": "/autograder/results",
                "CORPUS": "/autograder/submission",
                "MNIST": "/autograder/data/mnist.npz",
                "PORT": listener.getsockname()[1],
            }
            results, grade = run(image, "deep_learning_primer.ipynb", write)
            with pytest.raises(TimeoutError):
                listener.accept()
    finally:
        shipped(image, **original)
    seen = reports(image / "results" / "grade.json")
    assert results["score"] == 8 and grade["status"] == "graded" and grade["seconds"] < 600, results["output"]
    assert [label for labels in MUST_FAIL.values() for label in labels if seen[label] == "ok"] == [], seen
    assert not [k for k, v in seen.items() if str(v).startswith("READ") and v != "READ none"], seen
    errors = [e for e in grade["cell_errors"] if not e["message"].startswith("REPORT ")]
    endless = [e["name"] for e in errors if e["where"] == "the cell starting 'while True:'"]
    # (a fork of another cell may fail meanwhile, BlockingIOError: the process limit at work)
    assert errors[0]["name"] == "KernelDied" and endless == ["TimeoutError"], errors
    assert fingerprint() == before and not student_processes()
    assert not (image / "results" / "pwned").exists()
    assert sorted(p.name for p in (image / "results").iterdir()) == [
        "feedback.html",
        "grade.json",
        "grader.log",
        "results.json",
    ]


# The forged grade, tried for real: root must never act through a link the student planted.
RACER = """
import os, pathlib, stat, sys, time
TARGET, LOG = "/autograder/run_autograder", "/tmp/kit-race.log"
top = pathlib.Path(sys.argv[1])
tries = moved = wins = 0
end = time.monotonic() + 120
while time.monotonic() < end and not wins:
    # the kit's names for its sockets: bridge-1, and bridge-2 once a model's weights were loaded through it
    paths = [str(p / f"bridge-{n}") for p in top.iterdir() if p.is_dir() for n in (1, 2)]
    for path in paths:
        try:
            os.symlink(TARGET, path + ".link")  # ready beforehand: the swap is one rename
        except OSError:
            pass
    for path in paths * 10000:
        try:
            if stat.S_ISSOCK(os.lstat(path).st_mode):  # bound: replace it by the link, in one step
                tries += 1
                os.rename(path + ".link", path)
                moved += 1
        except OSError:
            pass
    wins = int(os.stat(TARGET).st_uid == os.getuid())
    pathlib.Path(LOG + ".new").write_text(f"{tries} {moved} {wins}")
    os.replace(LOG + ".new", LOG)  # whole, whenever the grader ends this process
"""
# A process of its own (no lock shared with the kernel) swaps the socket in every folder beside
# the kernel's sockets for a link, as fast as it can, while the grader sets up its bridge.
RACE = f"""
connection = json.loads(pathlib.Path(sys.argv[sys.argv.index("-f") + 1]).read_text())
top = pathlib.Path(connection["ip"]).parent.parent
subprocess.Popen([sys.executable, "-c", {RACER!r}, str(top)], start_new_session=True)
"""


def ownership(tree):
    """Owner, group and mode of every file under /autograder that the grader runs or trusts."""
    files = [tree / "run_autograder", tree / "source", *sorted((tree / "source").rglob("*")), tree / "venv"]
    files += sorted((tree / "venv" / "bin").iterdir())
    return {str(p): (s.st_uid, s.st_gid, s.st_mode) for p in files if (s := p.lstat())}


@pytest.mark.parametrize("attempt", range(3))
def test_no_race_gives_the_student_a_file_root_runs(image, built, attempt):
    """Without bubblewrap (the container Gradescope may give): the socket swapped for a link, three times;
    and HOME littered with what a recursive or link-following removal chokes on."""
    shutil.copyfile(image / "source" / "run_autograder", image / "run_autograder")
    before = ownership(image)

    def write(path):
        make_submission(path, built, mnist_accuracy=QUICK_TRAINING)
        nb = nbformat.read(path, as_version=4)
        cells = [RACE, ATTACKS["litter"]]  # and what root must remove without following a link or recursing
        nb.cells += [nbformat.v4.new_code_cell(attack_cell(code, {"KIT": "/autograder/source/kit"})) for code in cells]
        nbformat.write(nb, path)

    race_log = "/tmp/kit-race.log"
    with suppress(FileNotFoundError):
        os.unlink(race_log)
    results, grade = run(image, "deep_learning_primer.ipynb", write, NO_BWRAP)
    assert results["score"] == 8 and grade["status"] == "graded", results["output"]
    assert (
        "left_behind" not in grade["measurements"]
        and reports(image / "results" / "grade.json")["deep chain in HOME"] == "ok"
    )
    after = ownership(image)  # the grader's own bytecode is new: root's
    assert {path: after.get(path) for path in before} == before and {uid for uid, _, _ in after.values()} == {0}
    assert not student_processes()
    tries, moved, wins = map(int, open(race_log).read().split())
    print(f"race {attempt}: {tries} tries, {moved} sockets replaced, {wins} wins")
    assert tries > 0 and moved == wins == 0  # it saw the grader's socket and could never touch it


def test_a_numpy_assignments_image_installs_no_tensorflow_and_grades(tmp_path):
    """The instructor's NumPy assignment of tests/test_course.py: its zip ships no data and names no
    extra, its image has no TensorFlow, and its solution gets every point there."""
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions", course / "solutions")
    write_master(course / "solutions" / "mse.ipynb")
    config = load_config(ROOT / "grading_config.yml", course, "mse")
    build_one(config, course, course)
    with zipfile.ZipFile(write_zip(config)) as z:
        assert not any(n.startswith("kit/data/") for n in z.namelist())
        assert 'kit"' in z.read("setup.sh").decode()  # the kit alone: no [keras]
        z.extractall(tmp_path / "autograder" / "source")
    tree = tmp_path / "autograder"
    for name in ("setup.sh", "run_autograder"):
        (tree / "source" / name).chmod(0o755)
    setup = in_autograder(tree, "bash /autograder/source/setup.sh")
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    assert not list((tree / "venv").glob("lib/python*/site-packages/tensorflow"))
    template = nbformat.read(config.files.student, as_version=4)
    solution = fill_answers(template, solution_answers(config.files.master))
    results, grade = run(tree, "mse.ipynb", lambda p: nbformat.write(solution, p))
    assert results["score"] == 5 and grade["status"] == "graded", results["output"]

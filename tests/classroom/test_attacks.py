"""The attack corpus (tests/attacks.py), graded in one class run as an ordinary user.

Every attack must have had no effect on any grade, file or later submission, and its
author must still get the honest grade (10 with the lenient target) and a reason.
"""

import json
from pathlib import Path

import pytest

from tests.attacks import ATTACKS, MUST_FAIL, reports

pytestmark = pytest.mark.slow

HONEST = 10  # every submission in the corpus is the solution with quick training, under the lenient target


def report(attack_run, name):
    return reports(attack_run["out"] / "students" / name / "grade.json")


def test_the_run_succeeds_as_an_ordinary_user(attack_run):
    assert attack_run["run"].returncode == 0, attack_run["run"].stdout[-3000:] + attack_run["run"].stderr[-3000:]


@pytest.mark.parametrize("name", [*ATTACKS, "zz_victim", "zz_victim_2"])
def test_every_attacker_and_victim_gets_the_honest_grade(attack_run, name):
    row = attack_run["rows"][name]
    assert row["status"] == "graded" and float(row["total"]) == HONEST, row


def test_mnist_cannot_be_forged(attack_run):
    seen = report(attack_run, "forge_mnist")
    assert not [k for k in MUST_FAIL["forge_mnist"] if seen[k] == "ok"], seen
    grade = json.loads((attack_run["out"] / "students" / "forge_mnist" / "grade.json").read_text())
    assert grade["measurements"]["test_accuracy"] < 0.99  # quick training, measured on the real labels
    assert attack_run["before"] == attack_run["after"]


def test_planted_code_reaches_no_later_grading(attack_run):
    seen = report(attack_run, "plant_code")
    assert not [k for k in MUST_FAIL["plant_code"] if seen[k] == "ok"], seen
    home, kit = attack_run["home"], attack_run["kit"]
    for planted in [
        kit / "argparse.py",
        kit / ".venv/lib/python3.11/site-packages/kit_probe.pth",
        home / ".ipython/profile_default/startup/00.py",
        home / ".local/share/jupyter/kernels/python3/kernel.json",
        Path("/tmp/kit-leak"),
        Path("/var/tmp/kit-leak"),
        Path("/dev/shm/kit-leak"),
    ]:
        assert not planted.exists(), planted
    assert (
        "float16" not in (home / ".keras" / "keras.json").read_text() if (home / ".keras/keras.json").exists() else True
    )
    for victim in ("zz_victim", "zz_victim_2"):
        assert report(attack_run, victim) == {"leftovers": [], "history from earlier students": False}


def test_nothing_secret_is_read(attack_run):
    seen = report(attack_run, "read_secrets")
    assert seen.pop("the instructor's environment") == "READ none", seen
    assert not [k for k, v in seen.items() if str(v).startswith("READ")], seen
    for path in attack_run["out"].rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert "KIT-SECRET" not in text and "def test_" not in text, path


def test_no_escape_from_the_sandbox(attack_run):
    seen = report(attack_run, "escape")
    assert not [k for k in MUST_FAIL["escape"] if seen[k] == "ok"], seen
    visible = seen["see the grader's processes"]  # its own PID namespace: only its own few processes
    assert len(visible) < 10 and not [c for c in visible if "autograder.grading.child" in c or "-m pytest" in c], (
        visible
    )
    assert not attack_run["connections"] and not attack_run["survivors"], attack_run["survivors"]
    grade = json.loads((attack_run["out"] / "students" / "zz_victim" / "grade.json").read_text())
    assert grade["status"] == "graded"


def test_processes_and_memory_are_bounded(attack_run, lenient_config):
    seen = report(attack_run, "exhaust")
    assert seen["fork bomb"].startswith("BlockingIOError after"), seen
    assert int(seen["fork bomb"].split()[-1]) < 256, seen
    assert seen["20 GB at once"] == "MemoryError", seen
    grade = json.loads((attack_run["out"] / "students" / "exhaust" / "grade.json").read_text())
    assert grade["measurements"]["peak_memory_mb"] < 4000 * 1.1


def test_killing_everything_in_sight_costs_only_that_cell(attack_run):
    grade = json.loads((attack_run["out"] / "students" / "kill_all" / "grade.json").read_text())
    assert [e["name"] for e in grade["cell_errors"]] == ["KernelDied"]


def test_nothing_is_left_on_the_host(attack_run):
    """The litter (a 5,000-deep chain, 20,000 files, a FIFO, a socket, a link, locked folders) in HOME and
    beside the kernel's sockets: held in the sandbox's memory, gone with it; no grading left anything."""
    assert report(attack_run, "litter")["deep chain in HOME"] == "ok"
    assert not attack_run["left_on_the_host"], attack_run["left_on_the_host"]
    for grade_json in (attack_run["out"] / "students").glob("*/grade.json"):
        assert "left_behind" not in json.loads(grade_json.read_text())["measurements"], grade_json

"""The autograder zip, run the way Gradescope runs it.

The zip is unpacked into a tree laid out like /autograder, setup.sh runs for real (as
root, in a private mount namespace where that tree is /autograder), and run_autograder
grades each kind of submission. Needs root and `unshare`, as on CI.
"""

import json
import os
import shutil
import subprocess
import zipfile

import nbformat
import pytest

from autograder.build.assign import dist_dir
from tests.helpers import QUICK_TRAINING, make_submission, valid_results

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare"),
]

SNOOP = """
import pathlib
kit = "/autograder/source/kit"
for secret in [kit + "/dist/deep_learning_primer/tests/activations.py", kit + "/grading_config.yml"]:
    try:
        pathlib.Path(secret).read_text()
        raise RuntimeError("LEAKED " + secret)
    except OSError:  # not there at all in the sandbox; unreadable where the container has no bwrap
        print("cannot read", secret)
for planted in ["/autograder/results/results.json", "/autograder/results/planted.json"]:
    try:
        pathlib.Path(planted).write_text("{}")
        raise RuntimeError("WROTE " + planted)
    except OSError:
        print("cannot write", planted)
"""


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
    with zipfile.ZipFile(dist_dir(config.assignment) / "autograder.zip") as z:
        z.extractall(tree / "source")
    for name in ("setup.sh", "run_autograder"):
        (tree / "source" / name).chmod(0o755)
    setup = in_autograder(tree, "bash /autograder/source/setup.sh")
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    return tree


def run(image, name, write):
    for folder in ("submission", "results"):
        shutil.rmtree(image / folder, ignore_errors=True)
        (image / folder).mkdir()
        (image / folder).chmod(0o777)  # the worst a harness could hand over: the kit must not rely on it
    (image / "submission_metadata.json").write_text(
        json.dumps({"created_at": "2026-11-24T10:00:00Z", "previous_submissions": []})
    )
    write(image / "submission" / name)
    finished = in_autograder(image, "/autograder/source/run_autograder")
    assert finished.returncode == 0, finished.stderr[-3000:]
    return valid_results(image / "results" / "results.json"), json.loads((image / "results" / "grade.json").read_text())


def test_blank_notebook_gets_zero(image, built):
    results, _ = run(image, "deep_learning_primer.ipynb", lambda p: shutil.copyfile(built, p))
    assert results["score"] == 0 and len(results["tests"]) == 5


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("deep_learning_primer.ipynb", b"", "empty"),
        ("deep_learning_primer.ipynb", b"%PDF-1.4", "not JSON"),
        ("homework.txt", b"hello", "does not exist"),
    ],
)
def test_broken_submissions_get_a_results_page(image, name, data, reason):
    results, _ = run(image, name, lambda p: p.write_bytes(data))
    assert results["score"] == 0 and reason in results["output"]


def test_wrong_assignment(image, built):
    def write(path):
        nb = nbformat.read(built, as_version=4)
        nb.metadata.otter.assignment_name = "module3_transformers"
        nbformat.write(nb, path)

    results, _ = run(image, "renamed.ipynb", write)
    assert results["score"] == 0 and "module3_transformers" in results["output"]


def test_student_code_cannot_read_tests_or_write_results(image, built):
    answers = {"mnist_accuracy": QUICK_TRAINING + SNOOP}
    results, grade = run(image, "deep_learning_primer.ipynb", lambda p: make_submission(p, built, **answers))
    assert "LEAKED" not in json.dumps(grade) and "WROTE" not in json.dumps(grade)
    assert results["score"] == 8 and not grade["cell_errors"]
    assert 0.5 < results["extra_data"]["test_accuracy"] < 0.98  # trained and measured there, too little
    assert sorted(p.name for p in (image / "results").iterdir()) == [
        "feedback.html",
        "grade.json",
        "grader.log",
        "results.json",
    ]


def test_a_stuck_submission_times_out_with_a_results_page(image, built):
    config = image / "source" / "kit" / "grading_config.yml"
    original = config.read_text()
    config.write_text(original.replace("submission_timeout_seconds: 1800", "submission_timeout_seconds: 15"))
    stuck = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(1)\n"
    try:
        results, grade = run(
            image, "deep_learning_primer.ipynb", lambda p: make_submission(p, built, activations=stuck)
        )
    finally:
        config.write_text(original)
    assert grade["status"] == "timed out" and "timed out" in results["output"]


def test_the_zip_is_what_gradescope_expects(config):
    with zipfile.ZipFile(dist_dir(config.assignment) / "autograder.zip") as z:
        names = z.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)
        assert z.getinfo("run_autograder").external_attr >> 16 & 0o111
        assert not any("solutions/" in n for n in names)

"""One small graded class of the spiral assignment for all of tests/review, its server, and a real browser.

The class: the solution twice (ann and bob, a flagged pair), a wrong cross_entropy (dan), and
the blank notebook handed in under a file name of HTML. Graded once by the command line
(~30 s on 2 cores); the tests that change it work on copies, or last.
"""

import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

import pytest

from autograder import ROOT
from tests.conftest import SESSION_ENV
from tests.helpers import run_cli, submission_of

HTML_NAME = "<img src=x onerror=alert(1)>"
NAIVE_CROSS_ENTROPY = '''def cross_entropy(z, y):
    """Mean binary cross-entropy, naively: inf and nan at large logits."""
    p = 1 / (1 + np.exp(-np.asarray(z)))
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
'''


@pytest.fixture(scope="package")
def graded(spiral, tmp_path_factory):
    """The class's out folder, graded."""
    root = tmp_path_factory.mktemp("review")
    folder = root / "in"
    folder.mkdir()
    submission_of(spiral, folder / "ann.ipynb")
    submission_of(spiral, folder / "bob.ipynb")
    submission_of(spiral, folder / "dan.ipynb", cross_entropy=NAIVE_CROSS_ENTROPY)
    shutil.copy(spiral.files.student, folder / f"{HTML_NAME}.ipynb")
    run = run_cli("grade", folder, "--out", root / "out", "-j", 2, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return root / "out"


def gradebook_row(out, student):
    """A student's row of the graded class's gradebook.csv: what the pages must show (the secret's draws
    decide a wrong answer's total and the measured accuracy, so no number is written into the tests)."""
    with open(out / "gradebook.csv", newline="") as f:
        return next(row for row in csv.DictReader(f) if row["student"] == student)


@contextmanager
def serving(out, unprivileged=False):
    """`python -m autograder serve OUT` on a free port: (its base URL, its token) from the URL it prints.

    `unprivileged`: as `nobody` where the tests run as root (root writes through any mode bits).
    """
    command = [sys.executable, "-m", "autograder", "serve", str(out), "--port", "0"]
    if unprivileged and os.geteuid() == 0:
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    env = {**SESSION_ENV, "MPLCONFIGDIR": tempfile.gettempdir()}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = _url(server)
        yield url.split("/?")[0], url.split("token=")[1]
    finally:
        server.terminate()
        server.wait(timeout=30)


def _url(server):
    """The URL the server prints, within 60 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if match := re.search(r"http://\S+", line):
            return match[0]
        if not line and server.poll() is not None:
            break
    raise AssertionError(f"the server printed no URL: {server.stdout.read()}")


@pytest.fixture(scope="package")
def browser():
    """Debian's chromium, driven by Playwright (no browser download)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("no chromium on this machine: `make browser` installs it (Debian/Ubuntu, as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh context (no cookie) and page; a dialog (a student's alert) fails the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a page opened a dialog: {dialog.message}"))
    yield page
    context.close()

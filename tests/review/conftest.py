"""One small graded class of the spiral assignment for all of tests/review, its server, and a real browser.

The class: the solution twice (ann and bob, a flagged pair), a wrong cross_entropy (dan), and
the blank notebook handed in under a file name of HTML. Graded once by the command line
(~30 s on 2 cores); the tests that change it work on copies, or last.
"""

import secrets
import shutil
import threading
from contextlib import contextmanager

import pytest
from waitress import create_server

from autograder import ROOT
from autograder.assign.build import build_one
from autograder.config import load_config
from autograder.review.app import create_app
from tests.helpers import answered, run_cli

HTML_NAME = "<img src=x onerror=alert(1)>"
NAIVE_CROSS_ENTROPY = '''def cross_entropy(z, y):
    """Mean binary cross-entropy, naively: inf and nan at large logits."""
    p = 1 / (1 + np.exp(-np.asarray(z)))
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
'''


@pytest.fixture(scope="package")
def spiral(tmp_path_factory):
    config = load_config(assignment="backprop_spiral")
    build_one(config, tmp_path_factory.mktemp("students"), ROOT)
    return config


@pytest.fixture(scope="package")
def graded(spiral, tmp_path_factory):
    """The class's out folder, graded."""
    root = tmp_path_factory.mktemp("review")
    folder = root / "in"
    folder.mkdir()
    answered(spiral, folder / "ann.ipynb")
    answered(spiral, folder / "bob.ipynb")
    answered(spiral, folder / "dan.ipynb", cross_entropy=NAIVE_CROSS_ENTROPY)
    shutil.copy(spiral.files.student, folder / f"{HTML_NAME}.ipynb")
    run = run_cli("grade", folder, "--out", root / "out", "-j", 2, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return root / "out"


@contextmanager
def serving(out, config, grade=None, writable=None):
    """The app on a free port, in this process: (its base URL, its token)."""
    token = secrets.token_urlsafe(16)
    app = create_app(out, config, token, grade or _no_regrade, writable)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", token
    finally:
        server.close()


def _no_regrade(student, questions):
    raise AssertionError("no regrade in this test")


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

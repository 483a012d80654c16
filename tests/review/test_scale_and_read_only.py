"""The review app on a class of 500 (server time per page, measured, never asserted) and on a read-only folder."""

import http.cookiejar
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from autograder import ROOT
from autograder.classroom.gradebook import Gradebook
from autograder.review.auth import cookie_name
from tests.review.conftest import serving

PAGES = ["/", "/student/s250", "/similarity", "/download/gradebook.csv", "/student/ann/notebook"]


def _class_of(n, graded, spiral, to):
    """A copy of the class whose gradebook has `n` rows, each with a copy of a graded student's folder."""
    shutil.copytree(graded, to)
    book = Gradebook(to / "gradebook.csv", spiral.points, spiral.measured)
    real = list(book.read().values())
    rows = [replace(real[i % len(real)], student=f"s{i:03d}", name=f"Student {i}") for i in range(n)]
    for row in rows:
        shutil.copytree(
            graded / "students" / real[int(row.student[1:]) % len(real)].student, to / "students" / row.student
        )
    book.rewrite([*real, *rows])
    return to


def test_a_class_of_500_server_time_per_page(graded, spiral, tmp_path):
    out = _class_of(500, graded, spiral, tmp_path / "out")
    with serving(out, spiral) as (url, token):
        cookie = {"Cookie": f"{cookie_name(token)}={token}"}
        times = {}
        for path in PAGES:
            seconds = []
            for _ in range(3):
                started = time.perf_counter()
                with urllib.request.urlopen(urllib.request.Request(url + path, headers=cookie)) as response:
                    body = response.read()
                    assert response.status == 200, path
                seconds.append(time.perf_counter() - started)
            times[path] = (statistics.median(seconds), len(body))
    print("\n500 rows, median of 3, server and transfer on this machine:")
    for path, (seconds, size) in times.items():
        print(f"  {path:28} {seconds * 1000:7.0f} ms  {size / 1024:7.0f} KiB")


@pytest.fixture
def read_only_copy(graded):
    """A copy of the class nobody may write to (its folders traversable by all, for the unprivileged server)."""
    root = Path(tempfile.mkdtemp(prefix="review-ro-"))
    os.chmod(root, 0o755)
    out = shutil.copytree(graded, root / "out")
    subprocess.run(["chmod", "-R", "a-w,a+rX", out], check=True)
    yield out
    subprocess.run(["chmod", "-R", "u+w", root], check=True)
    shutil.rmtree(root)


def test_a_read_only_class_is_shown_whole_and_nothing_offers_a_change(read_only_copy):
    """Root writes through any mode bits, so the server runs as `nobody` there: the check is the real one."""
    command = [sys.executable, "-m", "autograder", "serve", str(read_only_copy), "--port", "0"]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    env = {**os.environ, "HOME": "/tmp", "MPLCONFIGDIR": tempfile.gettempdir()}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = _url(server)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(url).read().decode()
        assert 'id="read-only"' in page and "<td>ann</td>" in page and "<form" not in page
        student = opener.open(url.split("?")[0] + "student/dan").read().decode()
        assert "cross_entropy: 1 of 2" in student and "<form" not in student
    finally:
        server.terminate()
        server.wait(timeout=10)


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

"""The review app on a class of 500 (server time per page, measured, never asserted) and on a read-only folder."""

import http.cookiejar
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

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
    with serving(out) as (url, token):
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
            times[path] = (seconds[0], statistics.median(seconds), len(body))
    print("\n500 rows, server and transfer on this machine: the first request, the median of 3 (a notebook's")
    print("rendering is kept once made):")
    for path, (first, median, size) in times.items():
        print(f"  {path:28} {first * 1000:7.0f} ms {median * 1000:7.0f} ms  {size / 1024:7.0f} KiB")


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
    """Served by an unprivileged user: the app's own check of the folder, not a flag the test sets."""
    with serving(read_only_copy, unprivileged=True) as (url, token):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(f"{url}/?token={token}").read().decode()
        assert 'id="read-only"' in page and "<td>ann</td>" in page and "<form" not in page
        student = opener.open(f"{url}/student/dan").read().decode()
        assert "cross_entropy: 1 of 2" in student and "<form" not in student

"""Changing a class from the browser: an adjustment added and undone, one question regraded.

They go through the kit's class code (classroom.settle, classroom.bulk), on a copy of
the class, so the other tests see it as graded.
"""

import shutil

import pytest
from playwright.sync_api import expect

from tests.review.conftest import gradebook_row, serving

REASON = "regrade request: the loss of 1000 was asked for <i>after</i> the deadline"


@pytest.fixture(scope="module")
def served(graded, tmp_path_factory):
    out = shutil.copytree(graded, tmp_path_factory.mktemp("changes") / "out")
    with serving(out) as (url, token):
        yield out, url, token


def _total(out, student):
    return float(gradebook_row(out, student)["total"])


def test_an_adjustment_changes_the_total_everywhere_and_is_undone(served, page):
    out, url, token = served
    before = _total(out, "dan")
    page.goto(f"{url}/student/dan?token={token}")
    page.select_option("#adjust select[name=question]", "cross_entropy")
    page.fill("#adjust input[name=points]", "1")
    page.fill("#adjust input[name=reason]", REASON)
    page.click("#adjust button")
    expect(page.locator("#total")).to_have_text(f"{before + 1:g}")
    assert _total(out, "dan") == before + 1
    assert "the loss of 1000 was asked for &lt;i&gt;after" in (out / "students/dan/feedback.html").read_text()
    assert REASON in page.locator("#adjustments").inner_text()
    page.click("#adjustments button:has-text('Undo')")
    expect(page.locator("#total")).to_have_text(f"{before:g}")
    assert _total(out, "dan") == before
    assert "the loss of 1000" not in (out / "students/dan/feedback.html").read_text()


def test_one_question_regraded_in_the_background(served, page):
    out, url, token = served
    before = _total(out, "dan")
    page.goto(f"{url}/student/dan?token={token}")
    page.check("#regrade input[value=cross_entropy]")
    page.click("#regrade button")
    expect(page.locator("#regrade-state")).to_contain_text("cross_entropy")
    expect(page.locator("#regrade-state.state-done")).to_be_visible(timeout=180_000)
    assert "regrade" in page.locator("#history tr").last.inner_text()
    assert page.locator("#total").inner_text() == f"{before:g}"

"""The review app in a real browser: the class, a student, the similarity review; what is escaped and refused."""

import csv
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.review.conftest import HTML_NAME, gradebook_row, serving

SCREENS = os.environ.get("REVIEW_SCREENS")  # a folder: each page's screenshot goes there, to look at


@pytest.fixture(scope="module")
def served(graded):
    with serving(graded) as (url, token):
        yield url, token


def _shot(page, name):
    if SCREENS:
        page.screenshot(path=str(Path(SCREENS) / f"{name}.png"), full_page=True)


def _status(url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def test_without_the_token_or_with_a_wrong_one_everything_is_401(served):
    url, token = served
    for path in ["/", "/student/ann", "/student/ann/notebook", "/download/gradebook.csv", "/static/review.css"]:
        assert _status(url + path) == 401, path
        assert _status(f"{url}{path}?token=wrong-{token}") == 401, path
    assert _status(url + "/similarity/decide", data=b"a=ann&b=bob&decision=cleared") == 401
    assert _status(url + "/", headers={"Cookie": "review-00000000=" + token}) == 401  # not its cookie


def test_the_token_opens_the_class_and_the_gradebook_sorts_and_filters(served, page, graded):
    url, token = served
    page.goto(f"{url}/?token={token}")
    assert page.url == url + "/"  # the token leaves the address bar (and the history) at once
    cookie = next(c for c in page.context.cookies() if c["name"].startswith("review-") and c["value"] == token)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    rows = page.locator("#gradebook tbody tr")
    assert rows.count() == 4
    total = page.locator("#gradebook th", has_text="total")
    total.click()
    totals = [float(t) for t in page.locator("#gradebook tbody tr td:nth-child(4)").all_inner_texts()]
    assert totals == sorted(totals) and totals[-1] == 20
    total.click()
    assert [float(t) for t in page.locator("#gradebook tbody tr td:nth-child(4)").all_inner_texts()] == sorted(
        totals, reverse=True
    )
    page.fill("#search", "dan")
    assert page.locator("#gradebook tbody tr:visible").count() == 1
    page.fill("#search", "")
    page.check("#flagged-only")
    assert sorted(page.locator("#gradebook tbody tr:visible td:first-child").all_inner_texts()) == ["ann", "bob", "dan"]
    assert "cross_entropy" in page.locator("#most-failed").inner_text()
    _shot(page, "class")


def test_a_students_page_shows_tests_notebook_history_and_similar_ones(served, page, graded):
    url, token = served
    row = gradebook_row(graded, "dan")
    page.goto(f"{url}/student/dan?token={token}")
    assert page.locator("#total").inner_text() == f"{float(row['total']):g}"
    tests = page.locator("#tests").inner_text()
    assert (
        f"cross_entropy: {float(row['cross_entropy']):g} of 2" in tests
        and "hidden" in tests
        and "cross_entropy is wrong" in tests
    )
    assert f"Test accuracy\t{row['test_accuracy']}\ttarget 0.92" in page.locator("#measurements").inner_text()
    assert "new" in page.locator("#history").inner_text()
    assert page.locator("#similar a", has_text="ann").count() == 1
    frame = page.locator("#notebook iframe")
    assert frame.get_attribute("sandbox") == ""
    notebook = page.frame_locator("#notebook iframe")
    notebook.locator("text=Assignment 2").first.wait_for(timeout=30_000)
    assert "def cross_entropy" in notebook.locator("body").inner_text()
    _shot(page, "student")
    response = page.request.get(f"{url}/student/dan/notebook")
    assert response.headers["content-security-policy"].startswith("sandbox;")


def test_a_student_named_in_html_is_shown_as_text(served, page, graded):
    url, token = served
    page.goto(f"{url}/?token={token}")
    cell = page.locator("#gradebook tbody tr", has_text="onerror").locator("td").nth(1)
    assert cell.inner_text() == HTML_NAME
    assert page.locator("#gradebook img").count() == 0
    cell.locator("xpath=..").locator("a").click()
    assert page.locator("h1").inner_text().endswith(f"({HTML_NAME})")
    assert page.locator("main img, h1 img, #grade img").count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/student/../gradebook.csv",
        "/student/..%2F..%2Fgradebook.csv",
        "/student/ann/..%2F..%2Fgradebook.csv",
        "/student/%2E%2E/notebook",
        "/download/..%2Fgradebook.csv",
        "/download/students%2Fann%2Fgrade.json",
    ],
)
def test_a_path_in_the_url_reaches_no_file(served, page, path):
    url, token = served
    page.goto(f"{url}/?token={token}")
    response = page.request.get(url + path)
    assert response.status == 404 or "student,name" not in response.text(), (path, response.status)


def test_a_post_without_its_csrf_token_is_refused(served, page):
    url, token = served
    page.goto(f"{url}/?token={token}")
    response = page.request.post(url + "/similarity/decide", form={"a": "ann", "b": "bob", "decision": "cleared"})
    assert response.status == 400 and "CSRF" in response.text()


def test_clearing_a_flagged_pair_is_kept_in_out_and_changes_no_grade(served, page, graded):
    url, token = served
    before = (graded / "gradebook.csv").read_bytes()
    page.goto(f"{url}/similarity?token={token}")
    pair = page.locator("section.flagged", has=page.locator("a", has_text="bob")).first
    pair.locator("input[name=note]").fill("the same solution: both from the lecture's notes <b>ok</b>")
    pair.locator("button[value=cleared]").click()
    decided = page.locator("section.flagged", has=page.locator("a", has_text="bob")).first.locator(".decision")
    assert "cleared: the same solution: both from the lecture's notes <b>ok</b>" in decided.inner_text()
    _shot(page, "similarity")
    frame = page.frame_locator("section.flagged iframe").first
    frame.locator("a", has_text="bob's feedback").first.click()  # similarity.html's own link, inside its frame
    expect(frame.locator("body")).to_contain_text("backprop_spiral: 20.00 / 20")  # bob's feedback page
    with open(graded / "similarity_decisions.csv", newline="") as f:
        lines = list(csv.DictReader(f))
    assert [(line["decision"], line["note"][:12]) for line in lines] == [("cleared", "the same sol")]
    assert (graded / "gradebook.csv").read_bytes() == before

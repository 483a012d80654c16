"""An instructor's term, scripted with real gradings: the out folder is the class, and only
what must be graded again is.

One out folder throughout, quick training and the lenient target, a late policy of 10% a day:
1. the class is graded: alice (complete), bob (blank), carol (complete, marked late by Canvas)
   and two stray files; one hidden test of activations is wrong (the instructor's bug);
2. an adjustment for alice, then bob resubmits: only bob is graded; grading bob's file alone
   into the class's folder changes nothing else;
3. alice is regraded by name: the same grade, her adjustment still applied;
4. the hidden test is fixed and activations alone is regraded, without running the training;
before 4, the summary page (in headless Chromium) shows its tables: the wrong test tops the
tests failed most often.
Each step's gradebook and time are printed (pytest -s) for the record.
"""

import csv
import time

import pytest

from autograder import ROOT
from tests.helpers import QUICK_TRAINING, headless_chromium, make_submission, run_cli

pytestmark = pytest.mark.slow

TESTS = ROOT / "dist" / "deep_learning_primer" / "tests" / "activations.py"
RIGHT = "assert close(relu(z), [0.0, 0.0, 0.0, 1e-12, 0.0, 7.0])"
WRONG = "assert close(relu(z), [0.0, 0.0, 0.0, 1e-12, 7.0, 7.0])"  # |z| where relu(z) was meant
SHOWN = ["student", "status", "activations", "gradient_descent", "improved_model", "mnist_accuracy"]
SHOWN += ["adjustments", "days_late", "late_penalty", "total", "test_accuracy", "seconds"]


@pytest.fixture
def fix_hidden_test(strict_run):
    """Makes activations' hidden relu test wrong, as an instructor might first write it; yields its fix.

    Needs `strict_run`: the class-sized runs that read the same test files are over by then.
    """
    original = TESTS.read_text()
    assert RIGHT in original
    TESTS.write_text(original.replace(RIGHT, WRONG))
    try:
        yield lambda: TESTS.write_text(original)
    finally:
        TESTS.write_text(original)


@pytest.fixture
def term(tmp_path, built, lenient_config):
    text = lenient_config.read_text()
    assert "late_policy: none" in text
    config = tmp_path / "term.yml"
    config.write_text(text.replace("late_policy: none", "late_policy: percent_per_day"))
    folder = tmp_path / "downloads"
    folder.mkdir()
    quick = {"mnist_accuracy": QUICK_TRAINING}
    make_submission(folder / "alice.ipynb", built, **quick)
    (folder / "bob.ipynb").write_bytes(built.read_bytes())
    make_submission(folder / "carol_LATE_5001_9001_deep_learning_primer.ipynb", built, **quick)
    (folder / "notes.py").write_text("print('draft')\n")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4\n")
    return folder, tmp_path / "classout", config


def test_an_instructors_term(term, fix_hidden_test, built, tmp_path):
    folder, out, config = term

    def step(title, *extra, paths=(folder,)):
        started = time.monotonic()
        run = run_cli("--config", config, "grade", *paths, "--out", out, "-j", "2", *extra, timeout=900)
        seconds = time.monotonic() - started
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        book = gradebook(out)
        print(f"\n### {title} ({seconds:.0f} s)\n{run.stdout.splitlines()[-2]}")
        print("\n".join(",".join(row[k] for k in SHOWN) for row in [dict(zip(SHOWN, SHOWN)), *book.values()]))
        return run, book

    run, book = step("1. the class, with a wrong hidden test")
    assert "ignored:" in run.stdout and "notes.py: not a notebook" in run.stdout and "report.pdf" in run.stdout
    assert set(book) == {"alice", "bob", "carol_5001"}
    assert [book[k]["total"] for k in ("alice", "bob", "carol_5001")] == ["9.6", "0.0", "8.64"]
    assert book["carol_5001"]["days_late"] == "1" and book["carol_5001"]["late_penalty"] == "0.96"
    assert "counted as 1 day" in page(out, "carol_5001")
    stamps = {k: (out / "students" / k / "grade.json").stat().st_mtime for k in book}

    (out / "adjustments.csv").write_text(
        'student,question,points,reason\nalice,gradient_descent,-1,"copied answer, agreed with the student"\n'
    )
    make_submission(folder / "bob.ipynb", built, mnist_accuracy=QUICK_TRAINING)
    run, book = step("2. an adjustment for alice; bob resubmits")
    assert "graded now: 1 file changed" in run.stdout
    assert [book[k]["total"] for k in ("alice", "bob", "carol_5001")] == ["8.6", "9.6", "8.64"]
    assert book["alice"]["adjustments"] == "-1.0" and "copied answer" in page(out, "alice")
    assert {k: (out / "students" / k / "grade.json").stat().st_mtime for k in ("alice", "carol_5001")} == {
        k: stamps[k] for k in ("alice", "carol_5001")
    }
    run, alone = step("2b. bob's file alone, into the class's folder", paths=(folder / "bob.ipynb",))
    assert "graded now: none" in run.stdout and "kept: 2 earlier rows" in run.stdout and alone == book

    run, book = step("3. alice regraded by name", "--regrade", "alice")
    assert "graded now: 1 regrade" in run.stdout
    assert book["alice"]["total"] == "8.6" and book["alice"]["test_accuracy"] == alone["alice"]["test_accuracy"]
    full = {k: record(out, k) for k in book}
    summary_shows_the_wrong_test(out, tmp_path)

    fix_hidden_test()  # as `make build` would write it from the fixed solution
    run, book = step("4. the hidden test fixed; activations regraded", "--questions", "activations")
    assert "graded now: 3 regrade of activations" in run.stdout
    assert [book[k]["total"] for k in ("alice", "bob", "carol_5001")] == ["9.0", "10.0", "9.0"]
    for k in book:
        assert book[k]["activations"] == "4.0" and book[k]["test_accuracy"] == alone[k]["test_accuracy"]
        assert record(out, k)["measurements"]["cells_run"] < full[k]["measurements"]["cells_run"]  # no training
    history = list(csv.DictReader(open(out / "history.csv")))
    assert [(h["student"], h["why"]) for h in history][3:] == [
        ("bob", "file changed"),
        ("alice", "regrade"),
        *[(k, "regrade of activations") for k in ("alice", "bob", "carol_5001")],
    ]

    assert "No graded submission failed a test." in (out / "summary.html").read_text()


def summary_shows_the_wrong_test(out, tmp_path):
    """The summary's tables, in headless Chromium: the wrong hidden test tops the most failed."""
    rendered = headless_chromium(out / "summary.html", tmp_path, (1100, 2000))
    if rendered is None:
        pytest.skip("no Chromium on this machine (.ci/run installs it)")
    shot, dom = rendered
    for table in ("students", "most-failed", "measured-test_accuracy", "ignored"):
        assert f'id="{table}"' in dom, table
    assert 'href="students/alice/feedback.html"' in dom
    first = dom[dom.index('id="most-failed"') :].split("</tr>")[1]
    assert "relu next to 0, and on integers" in first and "3 of 3" in first, first
    print(f"summary screenshot: {shot}")


def gradebook(out):
    with open(out / "gradebook.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def page(out, student):
    return (out / "students" / student / "feedback.html").read_text()


def record(out, student):
    import json

    return json.loads((out / "students" / student / "grade.json").read_text())

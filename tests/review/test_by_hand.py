"""Manual questions graded by a person in the review app, in a real browser: one question across
the class, points and a comment, into the gradebook, the feedback page and the Canvas CSV, kept
through a regrade.

The class: otter_compat's `manual_seed` master (a written answer worth 2 points, and two
autograded questions scaled to `points_possible: 10`), built in a temporary course; ann answers
everything (her written answer with a plot beside it), bob hands in the blank notebook.
"""

import base64
import csv
import io
import secrets
import threading
from pathlib import Path

import nbformat
import pytest
from waitress import create_server

from autograder.assign.answers import fill_answers, solution_answers
from autograder.classroom.bulk import grade_all, regrade_student
from autograder.classroom.canvas_csv import write_canvas_csv
from autograder.folders import ClassFolder
from autograder.review.app import create_app
from tests.otter_compat.harness import kit_build

MASTER = Path(__file__).parents[1] / "otter_compat" / "masters" / "manual_seed.ipynb"
WRITTEN = "The mean is the sum over the count: every value weighs the same."


def _plot():
    """A real plot's PNG, as a notebook keeps a figure's output (base64)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, data = plt.figure(figsize=(2, 1)), io.BytesIO()
    plt.plot([0, 1, 2], [1, 0, 1])
    figure.savefig(data, format="png")
    plt.close(figure)
    return base64.b64encode(data.getvalue()).decode()


def _ann(config):
    """The solution's answers, the written one in her words, and a plot in a cell she added after it."""
    template = nbformat.read(config.files.student, as_version=4)
    nb = fill_answers(template, {**solution_answers(config.files.master), "explain": WRITTEN})
    at = next(i for i, c in enumerate(nb.cells) if (c.get("id") or "").startswith("explain-answer"))
    plot = nbformat.v4.new_code_cell(
        "plot_the_mean()",
        outputs=[nbformat.v4.new_output("display_data", data={"image/png": _plot(), "text/plain": "<Figure>"})],
    )
    nb.cells.insert(at + 1, plot)
    return nb


@pytest.fixture(scope="module")
def manual_class(tmp_path_factory, sandbox):
    """(config, out folder) of the graded class, its Canvas CSV asked for as `grade --canvas-csv` does."""
    root = tmp_path_factory.mktemp("manual")
    config = kit_build(MASTER, root / "course")
    folder = root / "in"
    folder.mkdir()
    nbformat.write(_ann(config), folder / "ann_101_9001_manual_seed.ipynb")
    nbformat.write(nbformat.read(config.files.student, as_version=4), folder / "bob_102_9002_manual_seed.ipynb")
    run = grade_all([folder], root / "out", config, 2, sandbox)
    write_canvas_csv(run.rows, ClassFolder(root / "out").canvas, config)
    return config, root / "out"


@pytest.fixture(scope="module")
def app_url(manual_class, sandbox):
    """The review app on the class, in this process (the course is a temporary one): its URL with the token."""
    config, out = manual_class
    token = secrets.token_urlsafe(16)
    app = create_app(out, config, token, lambda key, questions: regrade_student(out, config, key, questions, sandbox))
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", token
    server.close()


def _row(out, student):
    with open(ClassFolder(out).gradebook, newline="") as f:
        return next(r for r in csv.DictReader(f) if r["name"] == student)


def test_the_class_waits_for_a_person_on_the_written_answer(manual_class):
    config, out = manual_class
    assert config.manual == ("explain",) and config.points == {"explain": 2, "total": 8.0, "dice": 2.0}
    ann = _row(out, "ann")
    assert (ann["explain"], float(ann["total"]), float(ann["possible"])) == ("", 10.0, 12.0)
    feedback = (ClassFolder(out).student(ann["student"]).feedback).read_text()
    assert "not graded yet" in feedback and "graded by a person" in feedback


def test_a_person_grades_one_question_across_the_class(manual_class, app_url, page, sandbox):
    config, out = manual_class
    base, token = app_url
    page.goto(f"{base}/?token={token}")
    page.click("#manual a")
    assert "0 of 2 answers graded" in page.inner_text("#progress")
    page.click("#next")
    assert page.frame_locator("iframe").locator("text=every value weighs the same").is_visible()
    plot = page.frame_locator("iframe").locator("img")
    assert plot.count() == 1 and plot.evaluate("img => img.naturalWidth") == 200  # her plot, beside her words
    page.fill("input[name=points]", "3")  # more than the question is worth: refused, nothing kept
    page.evaluate("document.querySelector('input[name=points]').removeAttribute('max')")
    page.click("#grade-answer button")
    assert "explain is worth 0 to 2 points, not 3" in page.inner_text(".flash")
    page.fill("input[name=points]", "1.5")
    page.fill("input[name=comment]", "right, but say why the weights are equal")
    page.click("#grade-answer button")  # save and next: bob
    assert "bob" in page.inner_text("h1") and "1.5 of 2" in page.inner_text(".flash")
    page.fill("input[name=points]", "0")
    page.keyboard.press("Enter")
    assert "2 of 2 answers graded" in page.inner_text("#progress")

    ann = _row(out, "ann")
    assert (float(ann["explain"]), float(ann["total"]), float(ann["possible"])) == (1.5, 11.5, 12.0)
    feedback = ClassFolder(out).student(ann["student"]).feedback.read_text()
    assert "right, but say why the weights are equal" in feedback and "11.50 / 12" in feedback
    with open(ClassFolder(out).canvas, newline="") as f:
        possible, *students = list(csv.DictReader(f))
    assert possible["manual_seed"] == "12" and {r["ID"]: r["manual_seed"] for r in students}["101"] == "11.5"
    history = ClassFolder(out).history.read_text()
    assert "graded by hand: explain 1.5 of 2 (right, but say why the weights are equal)" in history

    regrade_student(out, config, ann["student"], [], sandbox)  # what a person gave outlives a regrade
    ann = _row(out, "ann")
    assert (float(ann["explain"]), float(ann["total"])) == (1.5, 11.5)

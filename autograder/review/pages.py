"""The review app's pages (GET): the class, a student, a manual question across the class, the
similarity review, and the class's files."""

import statistics

from flask import Blueprint, abort, make_response, redirect, render_template, send_file, url_for

from autograder.classroom.summary import most_failed, question_stats
from autograder.errors import SubmissionError
from autograder.reports.text import measured_name
from autograder.review.decisions import decisions
from autograder.review.notebook import SANDBOXED, answer_html, notebook_html
from autograder.review.state import manual_question, review, student_row, view, writable

blueprint = Blueprint("pages", __name__)
KIT_PAGE = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}
"""The headers of a page the kit wrote from student text, all of it escaped: no script, nothing loaded."""
DOWNLOADS = {
    "gradebook.csv": "gradebook",
    "canvas_grades.csv": "canvas",
    "graded_by_hand.csv": "by_hand",
    "feedback.zip": "feedback_zip",
}
"""The files offered for download, by name: each a ClassFolder property, so no name becomes a path."""


@blueprint.get("/")
def class_page():
    rows = view().rows()
    graded = [r for r in rows.values() if r.graded]
    records = {r.student: record for r in graded if (record := view().record(r.student))}
    pairs = view().pairs(rows)
    flagged = {key for p in pairs if p["flagged"] for key in (p["a"], p["b"])}
    return render_template(
        "class.html",
        config=view().config,
        rows=list(rows.values()),
        titles={m: measured_name(m) for m in view().config.measured},
        flagged=flagged,
        checked=view().checked(),
        questions=question_stats(graded, view().config),
        failed=most_failed(graded, records),
        mean=statistics.fmean(r.total for r in graded) if graded else 0.0,
        graded=len(graded),
        ignored=view().ignored(),
        progress=view().progress(rows),
        downloads=[name for name, attr in DOWNLOADS.items() if getattr(view().folder, attr).exists()],
        by_hand={q: sum(q in r.by_hand for r in rows.values()) for q in view().config.manual},
        writable=writable(),
    )


@blueprint.get("/student/<key>")
def student_page(key):
    rows = view().rows()
    row = student_row(key, rows)
    regrade = review()["regrades"].of(key)
    return render_template(
        "student.html",
        config=view().config,
        row=row,
        titles={m: measured_name(m) for m in view().config.measured},
        record=view().record(key),
        checked=view().checked(),
        history=view().history(key),
        adjustments=view().adjustments(row),
        similar=[p for p in view().pairs(rows) if key in (p["a"], p["b"])],
        regrade=regrade,
        busy=review()["regrades"].busy(key),
        writable=writable(),
    )


@blueprint.get("/student/<key>/notebook")
def notebook(key):
    """The submitted notebook, sandboxed: shown in an iframe of the student page, never on its own origin."""
    row = student_row(key)
    try:
        html = notebook_html(row.file, view().config.assignment)
    except (SubmissionError, OSError) as e:
        html = render_template("unreadable.html", why=str(e))
    return _sandboxed(html)


@blueprint.get("/student/<key>/feedback")
def feedback(key):
    """The feedback page the student gets, as written (sandboxed like any page holding their text)."""
    student_row(key)
    page = view().folder.student(key).feedback
    return _sandboxed(page.read_text() if page.exists() else "no feedback page yet")


@blueprint.get("/manual/<question>")
def by_hand(question):
    """One manual question across the class: who is graded, with what, and the way to the next answer."""
    rows, given = view().rows(), view().by_hand()
    return render_template(
        "by_hand.html",
        config=view().config,
        question=manual_question(question),
        rows=list(rows.values()),
        given=given,
        waiting=[key for key in rows if (key, question) not in given],
        writable=writable(),
    )


@blueprint.get("/manual/<question>/<key>")
def by_hand_answer(question, key):
    """One student's answer to a manual question, and the form that grades it; the previous and next student."""
    rows = view().rows()
    row = student_row(key, rows)
    keys = list(rows)
    at = keys.index(row.student)
    return render_template(
        "by_hand_answer.html",
        config=view().config,
        question=manual_question(question),
        row=row,
        at=at,
        count=len(keys),
        previous=keys[at - 1] if at > 0 else None,
        next=keys[at + 1] if at + 1 < len(keys) else None,
        grade=view().by_hand().get((row.student, question)),
        writable=writable(),
    )


@blueprint.get("/manual/<question>/<key>/answer")
def answer(question, key):
    """The student's cells of the question, with their outputs, sandboxed as the whole notebook is."""
    row = student_row(key)
    try:
        html = answer_html(row.file, view().config, manual_question(question))
    except (SubmissionError, OSError) as e:
        html = render_template("unreadable.html", why=str(e))
    return _sandboxed(html)


@blueprint.get("/similarity")
def similarity():
    rows = view().rows()
    made = decisions(view().out)
    pairs = [{**p, "decision": made.get((p["student_a"], p["student_b"]))} for p in view().pairs(rows)]
    return render_template("similarity.html", config=view().config, pairs=pairs, writable=writable())


@blueprint.get("/similarity/page")
def similarity_page():
    """similarity.html as the class run wrote it: the pairs side by side, in iframes. The kit's own
    page (every student text escaped), so it keeps the app's origin and its links work; no script
    of any kind runs in it (KIT_PAGE)."""
    page = view().folder.similarity
    response = make_response(page.read_text() if page.exists() else "no similarity page yet")
    response.headers.update(KIT_PAGE)
    return response


@blueprint.get("/similarity/students/<key>/feedback.html")
def similarity_feedback(key):
    """A link of similarity.html (written to sit beside the students' folders): their feedback page."""
    student_row(key)
    return redirect(url_for("pages.feedback", key=key))


@blueprint.get("/summary.png")
def summary_plot():
    return send_file(view().folder.summary_plot) if view().folder.summary_plot.exists() else abort(404)


@blueprint.get("/download/<name>")
def download(name):
    if name not in DOWNLOADS:
        abort(404)
    path = getattr(view().folder, DOWNLOADS[name])
    return send_file(path, as_attachment=True, download_name=name) if path.exists() else abort(404)


def _sandboxed(html):
    response = make_response(html)
    response.headers.update(SANDBOXED)
    return response

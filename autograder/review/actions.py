"""The review app's actions (POST, each with its CSRF token): adjust, undo, grade a manual answer,
regrade, decide.

Grades change only through the kit's class code (classroom.settle, classroom.bulk),
the same as the command line's, which settles the class at once and writes history.csv.
Each action answers with a redirect to the page it came from, saying what happened.
"""

from flask import Blueprint, abort, flash, redirect, request, url_for

from autograder.classroom.adjustments import Adjustment
from autograder.classroom.by_hand import ByHand
from autograder.classroom.settle import adjust as add_adjustment
from autograder.classroom.settle import grade_by_hand, undo_adjustment
from autograder.errors import KitError
from autograder.review.decisions import CHOICES, decide
from autograder.review.state import manual_question, review, student_row, view, writable

blueprint = Blueprint("actions", __name__)


@blueprint.before_request
def _writable():
    if not writable():
        abort(403, "the class's folder is read-only here: nothing can be changed")


@blueprint.post("/student/<key>/adjust")
def adjust(key):
    row = student_row(key)
    question = request.form.get("question", "")
    if question and question not in view().config.points:
        abort(400)
    try:
        points = float(request.form["points"])
        add_adjustment(view().out, view().config, Adjustment(row.student, question, points, request.form["reason"]))
        flash(f"adjusted: {points:+g} ({question or 'the whole submission'})")
    except KitError as e:
        flash(f"not adjusted: {e}")
    except ValueError:
        flash("points must be a number")
    return redirect(url_for("pages.student_page", key=key))


@blueprint.post("/student/<key>/undo/<int:index>")
def undo(key, index):
    """Remove adjustments.csv's line `index`, if it is still the line the page showed."""
    row = student_row(key)
    form = request.form
    try:
        expected = Adjustment(form["student"], form["question"], float(form["points"]), form["reason"])
        if expected.student not in (row.student, row.name):
            abort(400)
        undo_adjustment(view().out, view().config, index, expected)
        flash("adjustment undone")
    except (KitError, ValueError) as e:
        flash(f"not undone: {e}")
    return redirect(url_for("pages.student_page", key=key))


@blueprint.post("/manual/<question>/<key>")
def by_hand(question, key):
    """A person's grade of one answer; then the next student's answer (the form's `then`)."""
    row, rows = student_row(key), view().rows()
    question = manual_question(question)
    try:
        points = float(request.form["points"])
        grade_by_hand(view().out, view().config, ByHand(row.student, question, points, request.form.get("comment", "")))
        flash(f"{row.student}: {question} {points:g} of {view().config.points[question]:g}")
    except (KitError, ValueError) as e:
        flash(f"not graded: {e}" if isinstance(e, KitError) else "points must be a number")
        return redirect(url_for("pages.by_hand_answer", question=question, key=key))
    following = request.form.get("then")
    if following in rows:
        return redirect(url_for("pages.by_hand_answer", question=question, key=following))
    return redirect(url_for("pages.by_hand", question=question))


@blueprint.post("/student/<key>/regrade")
def regrade(key):
    student_row(key)
    questions = [q for q in request.form.getlist("question") if q in view().config.points]
    review()["regrades"].start(key, questions)
    return redirect(url_for("pages.student_page", key=key))


@blueprint.post("/similarity/decide")
def decision():
    rows = view().rows()
    a, b, choice = request.form.get("a"), request.form.get("b"), request.form.get("decision")
    if a not in rows or b not in rows or choice not in CHOICES:
        abort(400)
    decide(view().out, a, b, choice, request.form.get("note", ""))
    flash(f"{a} and {b}: {choice}")
    return redirect(url_for("pages.similarity") + f"#pair-{request.form.get('rank', '')}")

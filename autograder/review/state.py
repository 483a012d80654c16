"""What a request finds of the app: the class's view, the regrades, and the student a URL names."""

from flask import abort, current_app


def review():
    return current_app.extensions["review"]


def view():
    return review()["view"]


def student_row(key, rows=None):
    """The gradebook row whose key is `key` (among `rows`, else the gradebook's), or 404: a URL names a
    student only by a key the gradebook has."""
    row = (view().rows() if rows is None else rows).get(key)
    if row is None:
        abort(404)
    return row


def writable():
    return view().writable()


def manual_question(name):
    """`name` if it is a manual question of the assignment, or 404."""
    if name not in view().config.manual:
        abort(404)
    return name

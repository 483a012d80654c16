"""The review app's Flask application: a graded class's out folder, its token, its forms' CSRF.

Pages (pages.py) and actions (actions.py) read the class through a ClassView at each
request; the application holds only what outlives a request: the class's view and
the regrades under way.
"""

import secrets
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from autograder.names import shown
from autograder.review import actions, pages
from autograder.review.auth import cookie_name, require_token
from autograder.review.class_view import ClassView
from autograder.review.regrades import Regrades


def create_app(out, config, token, grade):
    """The app for the class in `out` (config: its assignment's settings), used with `token`.

    `grade(key, questions)`: a regrade (bulk.regrade with the command line's sandbox).
    """
    app = Flask(__name__)
    view = ClassView(Path(out).resolve(), config)  # Flask reads a relative path from its own package
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # signs the session's CSRF token; new each start
        SESSION_COOKIE_NAME=cookie_name(token) + "-session",
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,  # a page left open all afternoon still submits
    )
    app.jinja_env.finalize = shown  # a name's control and bidirectional characters, as escapes
    app.extensions["review"] = {
        "view": view,
        "regrades": Regrades(grade),
    }
    require_token(app, token)
    CSRFProtect(app)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(actions.blueprint)
    return app

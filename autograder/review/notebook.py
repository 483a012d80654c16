"""A student's notebook as HTML, with their own outputs, safe to show in the instructor's browser.

The notebook is the student's: its outputs and its markdown may hold any HTML and script.
nbconvert sanitizes them (`sanitize_html`), and the page is served on its own (`SANDBOXED`)
and shown in an `<iframe sandbox>`, so that whatever the sanitizer missed runs in an
opaque origin, without the instructor's cookie and without the network.
"""

from functools import lru_cache
from pathlib import Path

import bleach
from nbconvert import HTMLExporter

from autograder.grading.merge import answers_as_submitted, template
from autograder.grading.submission import read_submission

SANDBOXED = {
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
}
"""The headers of every page of student content: no script, no request out, no same origin."""

# nbconvert 7.17's own clean_html allows only bleach's inline tags, so a markdown heading or
# paragraph comes out as escaped text; these are markdown's block tags, none of them active.
_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "img", "div", "span", "pre", "code"]
_TABLES = ["table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "del"]
_ATTRIBUTES = {**bleach.ALLOWED_ATTRIBUTES, "*": ["class", "id"], "img": ["src", "alt"]}


def _clean_html(html):
    return bleach.clean(str(html), tags=[*bleach.ALLOWED_TAGS, *_BLOCKS, *_TABLES], attributes=_ATTRIBUTES)


def notebook_html(path, assignment):
    """The submitted file's notebook (an .ipynb or the one in an export zip), rendered (or SubmissionError,
    OSError)."""
    found = Path(path).stat()
    return _rendered(str(path), assignment, found.st_mtime_ns, found.st_size)


def answer_html(path, config, question):
    """The student's answer to one question (merge.answers_as_submitted: their cells, outputs and
    plots), rendered as `notebook_html` renders a whole notebook (or SubmissionError, OSError)."""
    answer = answers_as_submitted(template(config), read_submission(path, config.assignment), question)
    if not answer.cells:
        return "<p>No answer: the notebook has no cell of this question.</p>"
    return _html(answer)


@lru_cache(maxsize=64)
def _rendered(path, assignment, mtime_ns, size):
    """Rendered once per version of the file (its time and size): nbconvert takes half a second, and an
    instructor opens a student's page again after each change."""
    return _html(read_submission(path, assignment))


def _html(nb):
    exporter = HTMLExporter(
        template_name="lab", sanitize_html=True, exclude_anchor_links=True, filters={"clean_html": _clean_html}
    )
    body, _ = exporter.from_notebook_node(nb)
    return body

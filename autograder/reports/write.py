"""Everything one grading leaves in its folder.

results.json   Gradescope's format (also what an LMS reads)
grade.json     the kit's full record: per test, cell errors, measurements
feedback.html  the page a student reads
"""

import json

from autograder.reports.feedback import feedback_html
from autograder.reports.gradescope_json import gradescope_results


def write_reports(result, out, config, student=None, settlement=None):
    """The three files; with a `settlement` (adjustments, lateness) the scores shown are its total."""
    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "results.json", gradescope_results(result, config, settlement))
    _write_json(out / "grade.json", result.to_dict())
    (out / "feedback.html").write_text(feedback_html(result, config, student or result.submission, settlement))


def _write_json(path, data):
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")

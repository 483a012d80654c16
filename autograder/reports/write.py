"""Everything one grading leaves in its folder.

results.json   Gradescope's format (also what an LMS reads)
grade.json     the kit's full record: per test, cell errors, measurements
feedback.html  the page a student reads
"""

import json
import time

from autograder.folders import SubmissionFolder
from autograder.reports.feedback import feedback_html
from autograder.reports.gradescope_json import gradescope_results


def write_reports(result, out, config, student=None):
    """The three files of a grading, just done; grade.json last, with the others' writing time if it has phases."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    write_student_reports(result, out, config, student)
    if "phases" in result.measurements:
        result.measurements["phases"]["reports"] = round(time.monotonic() - started, 2)
    _write_json(SubmissionFolder(out).grade, result.to_dict())


def write_student_reports(result, out, config, student=None, settlement=None):
    """What a student reads (results.json, feedback.html), written again when the grade is settled:
    with a `settlement` (adjustments, lateness) the scores shown are its total. grade.json, the
    grading's record, is left as it is."""
    _write_json(SubmissionFolder(out).results, gradescope_results(result, config, settlement))
    SubmissionFolder(out).feedback.write_text(feedback_html(result, config, student or result.submission, settlement))


def _write_json(path, data):
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")

"""Everything one grading leaves in its folder.

    results.json   Gradescope's format (also what an LMS reads)
    grade.json     the kit's full record: per test, cell errors, measurements
    feedback.html  the page a student reads
"""
import dataclasses
import json

from .feedback import feedback_html
from .grade import GradeResult, QuestionResult, TestOutcome
from .results import gradescope_results


def write_reports(result, out, config, student=None):
    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "results.json", gradescope_results(result, config.question_visibility))
    _write_json(out / "grade.json", dataclasses.asdict(result))
    (out / "feedback.html").write_text(feedback_html(result, config, student or result.submission))


def read_grade(path):
    """A GradeResult back from grade.json."""
    data = json.loads(path.read_text())
    data["questions"] = [
        QuestionResult(**{**q, "tests": [TestOutcome(**t) for t in q["tests"]]}) for q in data["questions"]
    ]
    return GradeResult(**data)


def _write_json(path, data):
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")

"""Gradescope's results.json, from a grade record.

Hidden tests are reported by name and message only when the config's
`show_hidden_details` allows it, and never with their code, so publishing results
leaks nothing a student could copy.
"""

from autograder.reports.text import summary_line, test_lines


def gradescope_results(result, config):
    """The results.json dict Gradescope reads (see shared/gradescope_results.schema.json)."""
    show = config.show_hidden_details
    tests = [_question_test(q, i, config.question_visibility, show) for i, q in enumerate(result.questions, 1)]
    public = [t for q in result.questions for t in q.tests if not t.hidden]
    tests.append(
        {
            "name": "Public tests",
            "status": "passed" if all(t.passed for t in public) else "failed",
            "output": "\n".join(test_lines(public, show)) or "no public tests",
            "visibility": "visible",
        }
    )
    return {
        "score": round(result.score, 4),
        "execution_time": result.seconds,
        "output": summary_line(result),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": dict(result.measurements),
        "tests": tests,
    }


def _question_test(question, number, visibility, show_hidden):
    return {
        "name": question.name,
        "number": str(number),
        "score": round(question.score, 4),
        "max_score": question.possible,
        "status": "passed" if question.score >= question.possible else "failed",
        "output": "\n".join(test_lines(question.tests, show_hidden)),
        "visibility": visibility,
    }

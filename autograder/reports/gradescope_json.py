"""Gradescope's results.json, from a grade record.

Hidden tests are reported by name and message only when the config's
`show_hidden_details` allows it, and never with their code, so publishing results
leaks nothing a student could copy.
"""

from autograder.reports.text import settlement_lines, summary_line, test_lines


def gradescope_results(result, config, settlement=None):
    """The results.json dict Gradescope reads (see shared/gradescope_results.schema.json).

    With a `settlement`, the score is its total (the tests' score adjusted, less lateness) and
    the output says how; the per-question scores stay the tests'.
    """
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
        "score": settlement.total if settlement else round(result.score, 4),
        "execution_time": result.seconds,
        "output": "\n".join([summary_line(result, config.measured), *settlement_lines(settlement)]),
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

"""Reporting a grade: Gradescope's results.json and a table for the terminal.

Hidden tests are reported by name and outcome with the assertion's own message, never
with their code, so publishing results leaks nothing a student could copy.
"""


def gradescope_results(result, visibility):
    """The results.json dict Gradescope reads (see shared/gradescope_results.schema.json)."""
    tests = [_question_test(q, i, visibility) for i, q in enumerate(result.questions, 1)]
    public = [t for q in result.questions for t in q.tests if not t.hidden]
    tests.append({
        "name": "Public tests",
        "status": "passed" if all(t.passed for t in public) else "failed",
        "output": "\n".join(_line(t) for t in public) or "no public tests",
        "visibility": "visible",
    })
    return {
        "score": round(result.score, 4),
        "execution_time": result.seconds,
        "output": _summary(result),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": dict(result.measurements),
        "tests": tests,
    }


def table(result):
    """A per-question table, one line per question, for the terminal."""
    rows = [f"{'question':<20} {'score':>7} {'max':>5}  tests passed"]
    for q in result.questions:
        passed = sum(t.passed for t in q.tests)
        rows.append(f"{q.name:<20} {q.score:>7.2f} {q.possible:>5g}  {passed}/{len(q.tests)}")
    rows.append(f"{'total':<20} {result.score:>7.2f} {result.possible:>5g}")
    return "\n".join(rows + [_summary(result)])


def _summary(result):
    if result.error:
        return f"Not graded: {result.error}"
    text = f"Graded in {result.seconds:.0f} s: {result.score:.2f} / {result.possible:g} points."
    if "test_accuracy" in result.measurements:
        text += f" Test accuracy measured by the grader: {result.measurements['test_accuracy']:.4f}."
    if result.cell_errors:
        first = result.cell_errors[0]
        text += f" {len(result.cell_errors)} cell(s) raised errors; the first: {first[1]}: {first[2]}"
    return text


def _question_test(question, number, visibility):
    return {
        "name": question.name,
        "number": str(number),
        "score": round(question.score, 4),
        "max_score": question.possible,
        "status": "passed" if question.score >= question.possible else "failed",
        "output": "\n".join(_line(t) for t in question.tests),
        "visibility": visibility,
    }


def _line(test):
    if test.passed:
        return f"✅ {test.name}"
    reason = test.message.strip().splitlines()[-1] if test.message.strip() else "failed"
    return f"❌ {test.name}: {reason}"

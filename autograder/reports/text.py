"""Plain-text lines about a grade: the terminal table and the one-line summary.

What a line says about a hidden test follows the config's `show_hidden_details`, so the
terminal, results.json and the feedback page never tell a student different things.
"""

from autograder.contract import MODEL_WEIGHTS


def summary_line(result, measured=()):
    """The grade in a sentence, with the values named `measured` that the grader measured (the config's)."""
    if result.error:
        return f"Not graded: {result.error}"
    text = f"Graded in {result.seconds:.0f} s: {result.score:.2f} / {result.possible:g} points."
    for name in measured:
        if result.measurements.get(name) is not None:
            text += f" {measured_name(name)} measured by the grader: {result.measurements[name]:.4f}."
    if MODEL_WEIGHTS in result.measurements:
        text += " " + model_line(result.measurements[MODEL_WEIGHTS])
    if "full" in result.measurements:
        text += " " + result.measurements["full"]
    if result.cell_errors:
        first = result.cell_errors[0]
        where = first.where or f"cell {first.cell}"
        text += f" {len(result.cell_errors)} cell(s) raised errors; the first, {where}: {first.name}: {first.message}"
    return text


def model_line(outcome):
    """How the grader got the model it measured (contract.MODEL_WEIGHTS), in a sentence."""
    if outcome == "loaded":
        return "Your model was measured with the weights you handed in, not trained again."
    why = outcome.partition(": ")[2]
    return f"The grader trained your model itself ({why})." if why else "The grader trained your model itself."


def settlement_lines(settlement):
    """How the grade was made from the tests' score, a line per step; none without a settlement."""
    if settlement is None or not (settlement.adjustments or settlement.days_late or settlement.by_hand):
        return []
    lines = [f"The tests: {settlement.tested:.2f} points."]
    for question, points, comment in settlement.by_hand:
        lines.append(f"{question}, graded by a person: {points:.2f} points{f': {comment}' if comment else ''}.")
    for question, points, reason in settlement.adjustments:
        lines.append(f"Adjustment{f' ({question})' if question else ''}: {points:+.2f}: {reason or 'no reason given'}.")
    if settlement.days_late:
        lines.append(f"Late: {settlement.late}; the policy: {settlement.policy}: {-settlement.late_penalty:+.2f}.")
    return [*lines, f"Your grade: {settlement.total:.2f} points."]


def measured_name(name):
    """A measured value's name as a sentence starts it: test_accuracy -> "Test accuracy"."""
    return name.replace("_", " ").capitalize()


def table(result, measured=()):
    """A per-question table, one line per question, for the terminal."""
    rows = [f"{'question':<20} {'score':>7} {'max':>5}  tests passed"]
    for q in result.questions:
        passed = sum(t.passed for t in q.tests)
        rows.append(f"{q.name:<20} {q.score:>7.2f} {q.possible:>5g}  {passed}/{len(q.tests)}")
    rows.append(f"{'total':<20} {result.score:>7.2f} {result.possible:>5g}")
    return "\n".join([*rows, summary_line(result, measured)])


def last_line(message):
    lines = message.strip().splitlines()
    return lines[-1] if lines else "failed"


def test_lines(tests, show_hidden):
    """One line per public test; hidden ones by name only if `show_hidden`, else as a count."""
    lines = [f"✅ {t.name}" if t.passed else f"❌ {t.name}: {last_line(t.message)}" for t in tests if not t.hidden]
    hidden = [t for t in tests if t.hidden]
    if show_hidden:
        lines += [f"✅ hidden {t.name}" if t.passed else f"❌ hidden {t.name}: {last_line(t.message)}" for t in hidden]
    elif hidden:
        passed = sum(t.passed for t in hidden)
        lines.append(
            f"hidden tests: {passed} of {len(hidden)} passed"
            + ("" if passed == len(hidden) else " (they try other inputs of the kinds the public tests show)")
        )
    return lines

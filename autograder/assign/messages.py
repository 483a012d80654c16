"""What a check tells a student must be true: the numbers in its message are the ones it tests.

A number typed into a message is a second copy of a value the test holds, and the two drift
apart: a check once said "after 2 steps, b2 should be 0.2408" and asserted 0.20772118, and a
student chased the wrong target. So a message's own text may hold only numbers the test
function itself writes (a value it computes goes in as a {formatted} one), and a public check
that compares values says what it got: its message formats a value. `untrue_messages` reads
the test files otter assign built, so it holds for every assignment, the instructor's too.
"""

import ast
import re
from pathlib import Path

_NUMBER = re.compile(r"(?<![\w.^])-?\d+(?:,\d{3})*(?:\.\d+)?(?:e-?\d+)?(?![\w.])")
_QUESTIONS = re.compile(r"Questions? \d+(?: to \d+)?")  # "answer Questions 1 to 5": the notebook's own numbering
_COMPARISONS = {"isclose", "allclose", "array_equal", "close"}
_ORDERS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def untrue_messages(tests_folder):
    """One line per message that breaks a rule, for the test files (otter's built ones) in a folder."""
    return [problem for path in sorted(Path(tests_folder).glob("*.py")) for problem in _problems(path)]


def _problems(path):
    for test in ast.parse(path.read_text()).body:
        if isinstance(test, ast.FunctionDef):
            written, public = _numbers_written(test), not _hidden(test)
            for check in (node for node in ast.walk(test) if isinstance(node, ast.Assert)):
                where = f"{path.parent.parent.name}/{path.stem}.py, {test.name}, line {check.lineno}"
                yield from _untrue(check, written, where)
                if public and _compared(check.test) and not _formats_one_of(_compared(check.test), check.msg):
                    yield f"{where}: the message does not say what the answer was (format the value it compared)"


def _untrue(check, written, where):
    for text in _texts(check.msg):
        for number in _NUMBER.findall(_QUESTIONS.sub("", text)):
            if float(number.replace(",", "")) not in written:
                yield f"{where}: the message says {number}, a number the test does not hold: {text.strip()!r}"


def _numbers_written(function):
    """Every number the function's code writes, with its sign (-2.0 is written as -(2.0))."""
    numbers = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            numbers |= {float(node.value), -float(node.value)}
    return numbers


def _texts(message):
    if isinstance(message, ast.Constant) and isinstance(message.value, str):
        return [message.value]
    if isinstance(message, ast.JoinedStr):
        return [part.value for part in message.values if isinstance(part, ast.Constant)]
    return []


def _hidden(function):
    return any(
        keyword.arg == "hidden" and getattr(keyword.value, "value", False)
        for decorator in function.decorator_list
        if isinstance(decorator, ast.Call)
        for keyword in decorator.keywords
    )


def _compared(test):
    """The values an assertion compares: the arguments of np.isclose and its kin, a comparison's sides."""
    values = []
    for node in ast.walk(test):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in _COMPARISONS:
            values += node.args[:2]
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], _ORDERS):
            values += [node.left, *node.comparators]
    return [value for value in values if not isinstance(value, ast.Constant)]


def _formats_one_of(values, message):
    """Whether the message formats one of the values, in an expression of its own ({np.shape(z)} for z)
    or through another call ({sorted(d)} for set(d)). A name shared with a value ({k} for grads[k],
    {len(losses)} for losses[0]) is not enough: it names the case, not the answer."""
    if not isinstance(message, ast.JoinedStr):
        return False
    compared = {ast.dump(_unwrapped(value)) for value in values}
    formatted = (part.value for part in message.values if isinstance(part, ast.FormattedValue))
    return any(ast.dump(_unwrapped(node)) in compared for expression in formatted for node in ast.walk(expression))


def _unwrapped(expression):
    """The value inside one-argument calls: d for set(d), sorted(d) or np.asarray(d)."""
    while isinstance(expression, ast.Call) and len(expression.args) == 1 and not expression.keywords:
        expression = expression.args[0]
    return expression

"""The template: what the kit knows about the cells of an assignment's notebook.

The student notebook is the grading template: its given cells are the instructor's, its
answer cells (tagged `otter_answer_cell` by otter assign) are where a student's work
goes. Cell ids are made stable and readable (`activations-answer`, `activations-check`)
so that rebuilding leaves git clean and a submission's cells can be matched back.
"""

import ast
import hashlib
import inspect
import json
import re
from collections import Counter
from pathlib import Path

import yaml

from autograder import hooks
from autograder import master as masters
from autograder.bridge import kernel_side

ANSWER_TAG = "otter_answer_cell"
STUDENT_ONLY_TAG = "student-only"
_CHECK = re.compile(r"""grader\.check\(["'](\w+)["']\)""")


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def is_answer(cell):
    return ANSWER_TAG in tags(cell)


def answer_id(question, n=None):
    """The stable id of a question's answer cell (n numbers them when there are several)."""
    return f"{question}-answer" + (f"-{n}" if n else "")


def question_of(cell):
    """The question an answer cell belongs to, read from its id; None for other cells."""
    match = re.fullmatch(r"(\w+)-answer(?:-\d+)?", cell.get("id") or "")
    return match[1] if match else None


def apply_config(nb, config):
    """Write the config's points and the assignment's notebook values (hooks.notebook_values) into a
    notebook, in place: what the notebook says to students, and what its public checks hold them to,
    is what the grader enforces. A question's points are written only where the config changes them."""
    given = hooks.notebook_values(config)
    questions = any(masters.is_boundary(c, "question") for c in nb.cells)
    own = masters.points(nb, folder=config.files.master.parent) if questions else {}
    changed = any(own.get(name) != points for name, points in config.points.items() if name in own)
    each = masters.test_points(nb, folder=config.files.master.parent) if changed else {}  # read only if needed
    for cell in nb.cells:
        source = cell.source
        if masters.is_boundary(cell, "question"):
            question = yaml.safe_load(source) or {}
            name = question.get("name")
            if own.get(name) != config.points[name]:
                question["points"] = _shared(config.points[name], own.get(name), each.get(name))
                source = "# BEGIN QUESTION\n" + yaml.safe_dump(question, sort_keys=False)
        for name, value in given.items():
            source = re.sub(rf'(?m)^{name} = ("[^"]*"|\S+)', f"{name} = {value!r}".replace("'", '"'), source)
        cell.source = source
    return nb


def _shared(points, own, tests):
    """A question's new points as otter will share them out: test by test, in proportion to what each
    test had (`tests`, from its own points or its TEST CONFIG), else as the question's total."""
    if not tests or not own or len(set(tests)) == 1:  # shared equally: otter shares the total so
        return points
    return [round(p * points / own, 6) for p in tests]


def normalize_student_notebook(nb, questions):
    """Give every cell a stable id and mark otter's own cells as student-only, in place. `questions`
    are the master's (master.questions), in order: each answer cell is filed under its own, and a
    stub says which question it belongs to by its place among them all, manual ones included."""
    owners = _answer_owners(nb, questions)
    totals, counts, seen, owners = Counter(owners), Counter(), set(), iter(owners)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count, cell.outputs = None, []
        check = _CHECK.search(cell.source) if cell.cell_type == "code" else None
        if is_answer(cell):
            question = next(owners)
            counts[question] += 1
            cell.id = _unique(answer_id(question, counts[question] if totals[question] > 1 else None), seen)
        elif check:
            cell.id = _unique(f"{check[1]}-check", seen)
        else:
            digest = hashlib.sha1(f"{cell.cell_type}:{cell.source}".encode()).hexdigest()[:10]
            cell.id = _unique(f"{cell.cell_type}-{digest}", seen)
        if check or "grader.export(" in cell.source or "## Submission" in cell.source:
            cell.metadata.setdefault("tags", [])
            if STUDENT_ONLY_TAG not in cell.metadata.tags:
                cell.metadata.tags.append(STUDENT_ONLY_TAG)
    numbers = {q.name: n for n, q in enumerate(questions, 1)}
    for cell in filter(is_answer, nb.cells):
        if cell.cell_type == "code":
            cell.source = _stubs_raise(cell.source, numbers.get(question_of(cell), 0))
    nb.cells = [c for c in nb.cells if c.source.strip() or c.cell_type == "code"]
    return nb


def _answer_owners(nb, questions):
    """The question of each answer cell, in order. otter makes one answer cell of each cell of a
    question's prompt block, else of its solution block; where the counts do not agree (a master
    otter reshaped), an answer belongs to the question whose grader.check comes next."""
    answers = [c for c in nb.cells if is_answer(c)]
    expected = [q.name for q in questions for _ in (q.prompt or q.solution)]
    if len(expected) == len(answers):
        return expected
    owners, pending = [], 0
    for cell in nb.cells:
        check = _CHECK.search(cell.source) if cell.cell_type == "code" else None
        if is_answer(cell):
            pending += 1
        elif check:
            owners, pending = owners + [check[1]] * pending, 0
    if pending:
        raise ValueError(
            f"{pending} answer cell(s) at the end have no grader.check after them, and the master's "
            f"{len(expected)} solution cells do not match the student notebook's {len(answers)} answer cells"
        )
    return owners


def _stubs_raise(source, number):
    """otter leaves `...` where a solution was; inside a function it becomes a line that says,
    when called, which function is not written yet (a check then says so, not a NumPy error)."""
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            for statement in node.body:
                if isinstance(statement, ast.Expr) and getattr(statement.value, "value", None) is Ellipsis:
                    i = statement.lineno - 1
                    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
                    message = f"{node.name} is not written yet (Question {number}): replace this line with your code"
                    lines[i] = f"{indent}raise NotImplementedError({message!r})"
    return "\n".join(lines)


def _unique(cell_id, seen):
    base, n = cell_id, 1
    while cell_id in seen:
        n += 1
        cell_id = f"{base}-{n}"
    seen.add(cell_id)
    return cell_id


def named_tests(source):
    """A test file whose tests are named by their docstrings, so that results say what each
    test checks ("relu of a few numbers") instead of otter's "activations - 1"."""
    lines = source.splitlines(keepends=True)
    for node in ast.parse(source).body:
        doc = isinstance(node, ast.FunctionDef) and node.decorator_list and ast.get_docstring(node)
        if doc:
            i = node.decorator_list[0].lineno - 1  # otter writes @test_case(...) on one line
            lines[i] = lines[i].replace("@test_case(", f"@test_case(name={doc.splitlines()[0]!r}, ", 1)
    return "".join(lines)


def with_student_lines(source):
    """A public test file that, loaded by otter in the student's kernel, makes otter's failure
    messages say first where the student's own code raised (kernel_side.failure_message, as the
    grader says it)."""
    helpers = "\n\n".join(inspect.getsource(f) for f in (kernel_side.student_frames, kernel_side.failure_message))
    patch = (
        "\n# The kit's failure messages: the line of your own code that raised, first.\n"
        "import linecache, traceback\nfrom otter.test_files.exception_test import ExceptionTestFile\n\n"
        f"{helpers}\n\nExceptionTestFile._generate_error_message = failure_message\n"
    )
    first, _, rest = source.partition("\n")
    return f"{first}\n{patch}{rest}"


def _public_test_file(test):
    """The file otter's Notebook reads a question's public tests from: an exception-based test file
    (otter keeps its text), or an OK-format one (otter keeps its test as data)."""
    if isinstance(test, str):
        return test if re.search(r"(?m)^OK_FORMAT = True", test) else with_student_lines(named_tests(test))
    return f"OK_FORMAT = True\n\ntest = {json.loads(json.dumps(test))!r}\n"


def pack_public_tests(nb, folder):
    """Put the public tests into the setup cell, in place. otter keeps them in the notebook's
    metadata, which the kernel cannot read on Colab (or under another file name); the setup
    cell writes them into a `public_tests` folder next to the kernel and points otter there.
    Not `tests`: when otter grades, that folder holds its full tests (hidden ones too), and
    the notebook would overwrite them with the public ones."""
    kept = nb.metadata.get("otter", {}).get("tests")  # else `tests: {files: true}`: otter wrote them to `folder`
    kept = kept if kept is not None else {p.stem: p.read_text() for p in sorted(Path(folder).glob("*.py"))}
    tests = {question: _public_test_file(test) for question, test in kept.items()}
    cells = [c for c in nb.cells if c.cell_type == "code" and re.search(r"(?m)^PUBLIC_TESTS = \{\}", c.source)]
    if len(cells) != 1:
        raise ValueError("the notebook needs one setup cell with the line PUBLIC_TESTS = {}")
    packed = json.dumps(tests, sort_keys=True)  # a JSON object of strings is a Python dict literal too
    cells[0].source = re.sub(r"(?m)^PUBLIC_TESTS = \{\}", lambda _: f"PUBLIC_TESTS = {packed}", cells[0].source)

"""Grade one submission in this process: read it, merge it into the template, run it, test it.

Every outcome is a `GradeResult`: a broken submission gets zero points and a reason,
never an exception that stops the caller. The kit's own failures (no build, no data)
are `KitError`s. Runs inside the grading child (child.py), which the parent watches.
"""

import ast
import builtins
import doctest
import importlib
import inspect
import re
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

from otter.test_files import ExceptionTestFile
from otter.test_files.ok_test import OKTestFile

from autograder import hooks
from autograder.assign.template import tags
from autograder.bridge import kernel_side
from autograder.bridge.grader_side import KernelNamespace
from autograder.contract import MODEL_WEIGHTS, CellError, GradeResult, QuestionResult, TestOutcome
from autograder.errors import BuildMissingError, KitError, SubmissionError
from autograder.grading.kernel import GradingKernel
from autograder.grading.merge import merge, template
from autograder.grading.needed import needed_cells
from autograder.grading.submission import read_submission
from autograder.grading.trained_elsewhere import RETRAINED, WeightsLoader, handed_in
from autograder.phases import phase
from autograder.testing import grading_with

MAX_CRASHES = 3


class TestFile(ExceptionTestFile):
    """otter's test file, whose failure messages say first where the student's own code raised."""

    _generate_error_message = kernel_side.failure_message


def test_files(config, questions=None):
    """The assignment's otter test files, in the config's question order (only `questions`, if given)."""
    tests = config.files.tests
    if not tests.is_dir():
        raise BuildMissingError.for_path(tests)
    files = {p.stem: _test_file(p) for p in tests.glob("*.py")}
    return [files[name] for name in config.points if name in files and (questions is None or name in questions)]


def _test_file(path):
    """otter's test file, in either of its formats: OK (doctests: otter's default) or exception-based."""
    ok_format = re.search(r"(?m)^OK_FORMAT = True", path.read_text())
    return OKTestFile.from_file(str(path)) if ok_format else TestFile.from_file(str(path))


def planned_questions(config, files=None) -> list[QuestionResult]:
    """Every question and test of the assignment, none run yet: the shape of any result."""
    return [
        QuestionResult(
            f.name,
            0,
            round(f.possible, 4),
            [TestOutcome(tc.name, False, tc.hidden, tc.points, "") for tc in f.test_cases],
        )
        for f in files or test_files(config)
    ]


class Kernels:
    """The fresh kernels of one grading (a `with`), each set up by the grader's cell.

    `warm()` starts the first before the submission is known (the grading child then waits
    for one): a kernel's start does not depend on the submission, so it need not wait for
    one. While a kernel starts, the grader imports what the assignment's tests need
    (hooks.grader_imports: TensorFlow, for a model they rebuild), in a thread: the two imports
    run side by side.
    """

    def __init__(self, config, sandbox):
        self.config, self.sandbox = config, sandbox
        self.env = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
        self._first, self._warm = ExitStack(), None
        self.left_behind = []  # why what a kernel of this grading could write is still on the disk

    def __enter__(self):
        return self

    def warm(self):
        self._warm = self._first.enter_context(self._started())

    def __exit__(self, *exc):
        self._first.close()

    def fresh(self):
        """A kernel to run the notebook in, stopped on leaving the `with`: the warm one first, then new ones."""
        if self._warm is None:
            return self._started()
        kernel, self._warm = self._warm, None
        return _stopped_by(self._first, kernel)

    @contextmanager
    def _started(self):
        data = hooks.kernel_data(self.config)  # a KitError now if the data is not right, before student code
        importing = threading.Thread(target=_import_all, args=(hooks.grader_imports(self.config),), daemon=True)
        importing.start()
        workdir = Path(tempfile.mkdtemp(prefix="kit-grade-"))
        try:
            kernel = GradingKernel(workdir, self.config, self.env, self.sandbox, data)
            try:
                with kernel.running():
                    kernel.set_up(hooks.kernel_setup(self.config))
                    with phase("grader imports"):
                        importing.join()
                    yield kernel
            finally:
                self.left_behind += kernel.left_behind
        finally:
            self.sandbox.remove(workdir)  # the grader's own files; the kernel removed the student's


def _import_all(modules):
    for module in modules:
        importlib.import_module(module)


@contextmanager
def _stopped_by(stack, kernel):
    try:
        yield kernel
    finally:
        stack.close()


def grade_submission(path, config, kernels, questions=None) -> GradeResult:
    """The submission's grade, run in `kernels` (Kernels, entered); with `questions`, only theirs,
    running only the cells their tests need."""
    started = time.monotonic()
    files = test_files(config, questions)
    try:
        notebook = _prepared(path, config, files, questions)
        result = _run_and_test(notebook, files, config, path, kernels)
    except SubmissionError as e:
        result = GradeResult.without_results(str(path), planned_questions(config, files), str(e))
    if kernels.left_behind:
        result.measurements["left_behind"] = "; ".join(kernels.left_behind)
    result.seconds = round(time.monotonic() - started, 1)
    return result


def _prepared(path, config, files, questions):
    """The notebook to run: the submission read and merged into the template, the cells it needs.
    Whatever reading a submission raises is that submission's reason, never the grading's end."""
    with phase("prepare"):
        try:
            notebook = merge(template(config), read_submission(path, config.assignment), config.skip_tags)
            notebook.cells = needed_cells(
                notebook.cells, config.optional_tags, _names_tests_read(files), all_optional=questions is not None
            )
        except KitError:
            raise
        except Exception as e:
            raise SubmissionError(
                f"{Path(path).name} could not be read as a notebook of {config.assignment} "
                f"({type(e).__name__}: {str(e)[:300]}): save it again from Jupyter, or tell your instructor"
            ) from None
    return notebook


def _run_and_test(notebook, files, config, path, kernels):
    """Run the notebook and its tests; a cell that kills the kernel is left out and the run repeated."""
    crashes = []
    while True:
        with kernels.fresh() as kernel:
            loader = _weights_loader(path, config)
            cell_errors = kernel.run_notebook(notebook, loader)
            if kernel.crashed_at is None or len(crashes) == MAX_CRASHES:
                namespace, credits = KernelNamespace(kernel, config.max_model_parameters), {}
                measurements = {"cells_run": len(notebook.cells)}
                if config.weights and any(config.weights["training_tag"] in tags(c) for c in notebook.cells):
                    measurements[MODEL_WEIGHTS] = loader.outcome if loader and loader.outcome else RETRAINED
                with grading_with(config, measurements, credits), phase("tests"):
                    namespace.take(_names_tests_read(files))  # before any test calls student code
                    questions = [_run_tests(f, namespace, credits) for f in files]
                errors = [replace(e, where=_where(notebook.cells[e.cell])) for e in cell_errors]
                return GradeResult(str(path), questions, cell_errors=crashes + errors, measurements=measurements)
        where = _where(notebook.cells.pop(kernel.crashed_at))
        crashes.append(
            CellError(
                kernel.crashed_at,
                "KernelDied",
                "it crashed the kernel; it was left out and the notebook run again",
                where,
            )
        )


def _weights_loader(path, config):
    """What stands in for the training cells of a submission handed in with its weights; None without."""
    found = handed_in(path, config) if config.weights else None
    return WeightsLoader(config, *found) if found else None


def _where(cell):
    """A cell named as the student sees it, by its first line."""
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"the cell starting {first.strip()[:60]!r}"


def _names_tests_read(files):
    """The notebook's names the tests read: an exception test's parameters, the names an OK test's doctests use."""
    return {
        name
        for f in files
        for tc in f.test_cases
        for name in (
            _doctest_names(tc.body) if isinstance(tc.body, str) else inspect.signature(tc.body.test_func).parameters
        )
    }


def _doctest_names(body):
    """The names an OK test's doctests read and do not make themselves (by assigning or importing them)."""
    trees = [ast.parse(example.source) for example in doctest.DocTestParser().get_examples(body)]
    nodes = [node for tree in trees for node in ast.walk(tree)]
    read = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    made = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    imported = {
        (a.asname or a.name).split(".")[0]
        for n in nodes
        if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in n.names
    }
    return read - made - imported - set(dir(builtins))


def _function_name(test_case):
    """An exception test's function name (what `testing.credit` records its partial credit under); None for OK."""
    return getattr(getattr(test_case.body, "test_func", None), "__name__", None)


def _run_tests(test_file, namespace, credits):
    """A question's verdict: the points of its passed tests, and the share a failed test earned."""
    test_file.run(namespace)
    tests = [
        TestOutcome(
            name=r.test_case.name,
            passed=r.passed,
            hidden=r.test_case.hidden,
            points=r.test_case.points,
            message=r.message,
        )
        for r in test_file.test_case_results
    ]
    partial = sum(
        r.test_case.points * credits.get(_function_name(r.test_case), 0)
        for r in test_file.test_case_results
        if not r.passed
    )
    return QuestionResult(test_file.name, round(test_file.score + partial, 4), round(test_file.possible, 4), tests)

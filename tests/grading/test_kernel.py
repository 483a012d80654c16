"""The grading kernel: a real python3 kernel, bounded output, a dead kernel as a record."""

from dataclasses import replace

import nbformat
import pytest

from autograder.grading.kernel import GradingKernel

SPAM = "for i in range(20000):\n    print('spam ' * 40)\n"


def run_cells(tmp_path, config, sandbox, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    kernel = GradingKernel(tmp_path, config, {}, sandbox)
    with kernel.running():
        errors = kernel.run_notebook(nb)
    return kernel, nb, errors


def test_output_past_the_limit_is_dropped(tmp_path, config, sandbox):
    limit = 20_000
    _kernel, nb, errors = run_cells(tmp_path, replace(config, max_output_bytes=limit), sandbox, SPAM, "print('after')")
    kept = sum(len(o.get("text", "")) for o in nb.cells[0].outputs if o.get("name") != "kit-truncated")
    assert not errors and kept <= limit
    assert any(o.get("name") == "kit-truncated" for o in nb.cells[0].outputs)
    assert nb.cells[1].outputs[0]["text"] == "after\n"  # the next cell's output is its own


def test_a_cell_that_kills_the_kernel_is_recorded_not_raised(tmp_path, config, sandbox):
    kernel, _nb, _errors = run_cells(tmp_path, config, sandbox, "x = 1", "import os\nos._exit(1)", "y = 2")
    assert kernel.crashed_at == 1 and kernel.dead


def test_a_stuck_cell_is_interrupted_and_the_next_one_runs(tmp_path, config, sandbox):
    kernel, nb, errors = run_cells(
        tmp_path, replace(config, cell_timeout_seconds=2), sandbox, "while True:\n    pass", "z = 3"
    )
    assert [e.cell for e in errors] == [0] and errors[0].name == "TimeoutError"  # from the reply: the same every time
    assert kernel.crashed_at is None and not any(o.output_type == "error" for o in nb.cells[1].outputs)


def test_a_value_too_large_fails_only_the_test_that_asked(tmp_path, config, sandbox):
    from autograder.bridge.grader_side import KernelNamespace
    from autograder.errors import StudentError

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np\nbig = np.ones(2**25 + 1)\nsmall = np.arange(3)")]
    kernel = GradingKernel(tmp_path, config, {}, sandbox)
    with kernel.running():
        kernel.run_notebook(nb)
        names = KernelNamespace(kernel, config.max_model_parameters)
        with pytest.raises(StudentError, match="256 MB"):  # 2**25 doubles are 256 MB: one more is too many
            names.get("big")
        assert list(names.get("small")) == [0, 1, 2]


STUCK = """
import signal, time

def spins(n):
    while n:
        pass

def ignores_interrupts():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        time.sleep(0.1)

def dies():
    import os
    os._exit(1)

def chatty(n):
    for _ in range(n):
        print("spam " * 40)
    return n
"""


def namespace_after(tmp_path, config, sandbox, source):
    from autograder.bridge.grader_side import KernelNamespace

    kernel = GradingKernel(tmp_path, config, {}, sandbox)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    return kernel, nb, KernelNamespace(kernel, config.max_model_parameters)


def test_a_call_past_its_time_limit_is_stopped_and_the_next_one_answers(tmp_path, config, sandbox):
    from autograder.errors import StudentError

    kernel, nb, names = namespace_after(tmp_path, replace(config, call_timeout_seconds=2), sandbox, STUCK)
    with kernel.running():
        kernel.run_notebook(nb)
        spins = names.get("spins")
        with pytest.raises(StudentError, match=r"TimeoutError: the call ran longer than the time limit \(2 s\)"):
            spins(1)
        assert spins(0) is None and names.get("chatty")(20_000) == 20_000  # printing is no one's output
        assert not kernel.dead


def test_a_call_that_cannot_be_stopped_or_kills_the_kernel_ends_the_kernels_answers(tmp_path, config, sandbox):
    from autograder.errors import StudentError

    kernel, nb, names = namespace_after(tmp_path, replace(config, call_timeout_seconds=2), sandbox, STUCK)
    with kernel.running():
        kernel.run_notebook(nb)
        with pytest.raises(StudentError, match="could not be stopped"):
            names.get("ignores_interrupts")()
        with pytest.raises(StudentError, match="could not be stopped"):  # at once: the kernel is not asked again
            names.get("spins")(0)
    (tmp_path / "again").mkdir()
    kernel, nb, names = namespace_after(tmp_path / "again", config, sandbox, STUCK)
    with kernel.running():
        kernel.run_notebook(nb)
        with pytest.raises(StudentError, match="the student's kernel died while a test called its code"):
            names.get("dies")()


OBJECTS = """
import time

class Stack:
    def __init__(self, *items):
        self.items = list(items)
    def push(self, item):
        self.items.append(item)
        return self
    def __len__(self):
        return len(self.items)
    def __iter__(self):
        return iter(self.items)
    def __getitem__(self, i):
        return self.items[i]
    def __eq__(self, other):
        return list(self) == list(other)
    def slow(self):
        while True:
            time.sleep(0.1)

stack = Stack(1, 2)
squares = (n * n for n in range(4))
bigger = lambda s: len(s) + 1
"""


def test_any_other_object_is_used_in_the_kernel_by_asking(tmp_path, config, sandbox):
    """A student's own class: its attributes, methods, len, iteration, indexing and comparisons
    answer from the kernel, with plain data back; passed to the student's code it is the kernel's own."""
    from autograder.errors import StudentError

    kernel, nb, names = namespace_after(tmp_path, replace(config, call_timeout_seconds=2), sandbox, OBJECTS)
    with kernel.running():
        kernel.run_notebook(nb)
        stack = names.get("stack")
        assert repr(stack).startswith("<__main__.Stack object")
        assert stack.items == [1, 2] and len(stack) == 2 and list(stack) == [1, 2] and stack[-1] == 2
        assert stack == [1, 2] and stack != [2] and 2 in stack
        assert len(stack.push(3)) == 3 and stack.items == [1, 2, 3]  # a method runs in the kernel
        assert names.get("bigger")(stack) == 4  # the kernel's own object, not a copy
        assert list(names.get("squares")) == [0, 1, 4, 9]
        assert not hasattr(stack, "pop")  # the AttributeError it raised in the kernel
        with pytest.raises(StudentError, match=r"AttributeError: 'Stack' object has no attribute 'pop'"):
            stack.pop()
        with pytest.raises(StudentError, match="TimeoutError"):
            stack.slow()
        assert stack.items == [1, 2, 3]  # answered again after the stopped call

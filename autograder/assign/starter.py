"""`python -m autograder new NAME`: a starter master an instructor grows into an assignment.

It builds and grades at once: one question with its solution, a public test and a hidden one,
and a short text, in otter's assign format (the kit adds its own cells at build), and a planted
bug for `mutants` beside it. The guide, docs/own-assignment.md, walks from here to a graded class
and a Gradescope zip.
"""

import importlib.util
import re

import nbformat

from autograder.assign.kit_cells import PYTHON_KERNEL
from autograder.course import Assignment
from autograder.errors import ConfigError

CONFIG = """\
# ASSIGNMENT CONFIG
name: {name}
tests:
  ok_format: false
python_version: "3.11"
"""

INTRO = """\
# {title}

Write here what students will learn, and how the notebook works: read, run each cell in order,
write your code in the cells marked **✏️ Your turn**, and run the check after each of them."""

QUESTION_TEXT = """\
### ✏️ Your turn (Question 1): the mean

Write `mean(values)`: the average of a non-empty list or array of numbers, as a float."""

ANSWER = """\
import numpy as np

def mean(values):
    \"\"\"The average of `values`.\"\"\"
    # BEGIN SOLUTION
    return float(np.sum(values) / len(values))
    # END SOLUTION
"""

PUBLIC_TEST = """\
def test_mean_of_a_few_numbers(mean):
    \"\"\"mean of [1, 2, 3]\"\"\"
    assert mean([1, 2, 3]) == 2.0, f"mean([1, 2, 3]) should be 2.0, not {mean([1, 2, 3])!r}"
"""

MUTANTS = """\
# Planted bugs for `python -m autograder mutants --assignment {name}`: each one must lose points.
mutants:
  mean:
    - name: sums instead of averaging
      replace: ["np.sum(values) / len(values)", "np.sum(values)"]
"""

HIDDEN_TEST = """\
# HIDDEN
def test_mean_of_random_arrays(mean):
    \"\"\"mean of random arrays of several lengths\"\"\"
    import numpy as np
    from autograder.testing import close, grading_rng
    rng = grading_rng()
    for n in (1, 7, 1000):
        values = rng.normal(0, 10, size=n)
        assert close(mean(values), np.mean(values), inputs=values), f"mean is wrong on {n} random numbers"
"""


def write_starter(name, root):
    """solutions/<name>.ipynb and its mutants file, new; a ConfigError if the name is not one or the master exists."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ConfigError(f"{name!r} is not an assignment name: use letters, digits and _ (a Python name)")
    if importlib.util.find_spec(name) is not None:
        raise ConfigError(f"{name!r} is a Python module's name already (its tests would import it): choose another")
    master = Assignment(name, root).master
    if master.exists() or Assignment(name, root).mutants.exists():
        raise ConfigError(f"{master} exists already: choose another name")
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": PYTHON_KERNEL})
    raw = nbformat.v4.new_raw_cell
    nb.cells = [
        raw(CONFIG.format(name=name)),
        nbformat.v4.new_markdown_cell(INTRO.format(title=name.replace("_", " ").capitalize())),
        nbformat.v4.new_markdown_cell(QUESTION_TEXT),
        raw("# BEGIN QUESTION\nname: mean\npoints: 2"),
        raw("# BEGIN SOLUTION"),
        nbformat.v4.new_code_cell(ANSWER),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        nbformat.v4.new_code_cell(PUBLIC_TEST),
        nbformat.v4.new_code_cell(HIDDEN_TEST),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]
    master.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, master)
    Assignment(name, root).mutants.write_text(MUTANTS.format(name=name))
    return master

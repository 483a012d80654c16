"""The instructor's master notebook, read as otter assign reads it.

otter 7 takes its blocks in raw cells or in markdown cells fenced as ```otter, in any case
("# begin question" too), and works a question's points out from the question, from its
tests' TEST CONFIG, or from neither. Every part of the kit that reads a master (its config,
its questions and their points, its answers) reads it here, through otter's own parsing, so
that what the kit reads is what otter builds.
"""

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import nbformat
import yaml
from otter.assign.blocks import (
    BlockType,
    extract_all_fenced_otter_cells,
    get_cell_config,
    is_assignment_config_cell,
    is_block_boundary_cell,
)
from otter.assign.question_config import QuestionConfig
from otter.assign.tests_manager import AssignmentTestsManager
from otter.test_files.abstract_test import TestFile

from autograder.errors import BuildError


@dataclass
class Question:
    """One question of a master: its config (otter's QuestionConfig) and its cells, by block."""

    config: QuestionConfig
    solution: list = field(default_factory=list)
    prompt: list = field(default_factory=list)
    tests: list = field(default_factory=list)

    @property
    def name(self):
        return self.config.name


def read(path):
    """The master's cells, its fenced ```otter blocks made raw cells as otter makes them."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = extract_all_fenced_otter_cells(nb.cells)
    return nb


def assignment_config(nb, folder=None):
    """The master's ASSIGNMENT CONFIG, or None if it has none; over the settings of its `config_file`
    (read from `folder`, the master's), as otter merges them."""
    cell = next((c for c in nb.cells if is_assignment_config_cell(c)), None)
    if cell is None:
        return None
    settings = get_cell_config(cell)
    config_file = settings.get("config_file")
    if folder is None or not config_file:
        return settings
    path = Path(folder) / config_file
    if not path.is_file():
        raise BuildError(f"its ASSIGNMENT CONFIG names the config_file {config_file}, which is not in {folder}")
    return {**(yaml.safe_load(path.read_text()) or {}), **settings}


def declared_files(settings):
    """The files a master names beside it, which otter assign reads: data (`files`, `autograder_files`),
    the files students will make (`student_files`), `requirements` and `config_file`."""
    named = [*settings.get("files", []), *settings.get("autograder_files", []), *settings.get("student_files", [])]
    return named + [settings[key] for key in ("requirements", "config_file") if isinstance(settings.get(key), str)]


def requirements(settings, folder):
    """The packages a master's grading needs beyond the kit's, a line each: its `requirements` (a
    list, or a file beside it), else the requirements.txt beside it, as otter assign reads them."""
    named = settings.get("requirements")
    if isinstance(named, list):
        return [str(line).strip() for line in named if str(line).strip()]
    path = Path(folder) / (named or "requirements.txt")
    lines = path.read_text().splitlines() if path.is_file() else []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def is_assignment_config(cell):
    return is_assignment_config_cell(cell)


def is_boundary(cell, block, end=False):
    """Whether the cell opens (or, with `end`, closes) a block: "question", "solution", "prompt", "tests"."""
    return is_block_boundary_cell(cell, BlockType(block), end)


def questions(nb, where="the master"):
    """The master's questions in order, each with the cells of its solution, prompt and tests blocks."""
    found, question, block = [], None, None
    for n, cell in enumerate(nb.cells):
        if is_boundary(cell, "question"):
            question = Question(_question_config(cell, n, where))
            found.append(question)
        elif is_boundary(cell, "question", end=True):
            question, block = None, None
        elif question is not None and any(is_boundary(cell, b) for b in ("solution", "prompt", "tests")):
            block = next(b for b in ("solution", "prompt", "tests") if is_boundary(cell, b))
        elif question is not None and block and is_boundary(cell, block, end=True):
            block = None
        elif question is not None and block:
            getattr(question, block).append(cell)
    return found


def points(nb, where="the master", folder=None):
    """Each question's points, in order, as otter's test files will hold them: the question's
    `points` (a number, a list, or `each`), its tests' own TEST CONFIG points, else 1; a manual
    question's own points, else 0."""
    manager, found = _tests_read(nb, where, folder)
    return {q.name: _checked(q, where, manager.determine_question_point_value, q.config) for q in found}


def test_points(nb, where="the master", folder=None):
    """Each autograded question's points test by test, as otter resolves them (a question without
    tests, or a manual one, has none): what a change of its points is shared out in proportion to."""
    manager, found = _tests_read(nb, where, folder)

    def each(question):
        given = question.config.points
        cases = manager._tests_by_question.get(question.name, [])
        total = given.get("each", 1) * len(cases) if isinstance(given, dict) else given
        return [tc.points for tc in TestFile.resolve_test_file_points(total, cases)]

    return {q.name: _checked(q, where, each, q) for q in found if not q.config.manual}


def manual(nb, where="the master"):
    """The names of the questions a person grades (`manual: true`)."""
    return tuple(q.name for q in questions(nb, where) if q.config.manual)


def points_possible(settings):
    """What otter scales the autograded total to (`generate: points_possible:`), or None."""
    generate = settings.get("generate") if settings else None
    return generate.get("points_possible") if isinstance(generate, dict) else None


def _tests_read(nb, where, folder):
    """otter's own tests manager, with every question's tests read: (manager, questions)."""
    settings = assignment_config(nb, folder) or {}
    ok_format = (settings.get("tests") or {}).get("ok_format", True)
    manager = AssignmentTestsManager(SimpleNamespace(tests=SimpleNamespace(ok_format=ok_format)))
    found = questions(nb, where)
    for question in found:
        manager.add_question(question.config)
        for cell in (c for c in question.tests if c.cell_type == "code"):
            _checked(question, where, manager.read_test, cell, question.config)
    return manager, found


def _checked(question, where, work, *args):
    """`work(*args)`, with otter's own checks of a question's tests and points said as the kit's error."""
    try:
        return work(*args)
    except Exception as e:
        raise BuildError(f"{where}: question {question.name!r}: {e}") from None


def _question_config(cell, n, where):
    try:
        return QuestionConfig(get_cell_config(cell))
    except Exception as e:
        raise BuildError(f"{where}: the # BEGIN QUESTION in cell {n + 1} is not a question's config: {e}") from None

"""Answers as data: the solution's, read from the master, written into a template.

Used to make known submissions from the solution (the solution graded as a student's
notebook, planted-bug mutants, test fixtures) without copying notebooks by hand.
"""

import copy
from pathlib import Path

import yaml

from autograder import master as masters
from autograder.assign.template import question_of


def solution_answers(master_path):
    """Each question's answer cell source (its solution's last code cell), read from a master."""
    return {
        question.name: code[-1].source
        for question in masters.questions(masters.read(master_path), Path(master_path).name)
        if (code := [c for c in question.solution if c.cell_type == "code"])
    }


def quick_answers(mutants_path):
    """Answers that stand in for slow ones (training for seconds), from the assignment's mutants file."""
    spec = yaml.safe_load(mutants_path.read_text())
    return dict(spec.get("quick_answers", {}))


def fill_answers(template, answers):
    """A copy of the student template with the given questions' answer cells replaced."""
    nb = copy.deepcopy(template)
    for cell in nb.cells:
        if question_of(cell) in answers:
            cell.source = answers[question_of(cell)]
    return nb

"""Answers as data: the solution's, read from the master, written into a template.

Used to make known submissions from the solution (the solution graded as a student's
notebook, planted-bug mutants, test fixtures) without copying notebooks by hand.
"""

import copy

import nbformat
import yaml

from autograder.assign.template import question_of


def solution_answers(master_path):
    """Each question's answer cell source, read from a solution (master) notebook."""
    answers, question, inside = {}, None, False
    for cell in nbformat.read(master_path, as_version=4).cells:
        text = cell.source.strip()
        if cell.cell_type == "raw" and text.startswith("# BEGIN QUESTION"):
            question = yaml.safe_load(text)["name"]
        elif cell.cell_type == "raw" and text.startswith(("# BEGIN SOLUTION", "# END SOLUTION")):
            inside = text.startswith("# BEGIN")
        elif inside and cell.cell_type == "code":
            answers[question] = cell.source
    return answers


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

"""The mutation check: do the tests catch real mistakes?

Grades the solution, the blank notebook and one notebook per planted bug (listed in
solutions/<assignment>.mutants.yml) with the bulk grader, and prints a table: every
mutant must lose points on its question, the solution must get full marks and the
blank notebook none.
"""

import re

import nbformat
import yaml

from autograder.assign.answers import fill_answers, quick_answers, solution_answers
from autograder.classroom.bulk import grade_all


def mutant_answers(spec, solution, quick):
    """(file stem, question, description, answers) for each planted bug."""
    for question, mutants in spec["mutants"].items():
        for mutant in mutants:
            answers = {**solution, **quick}
            if "answer" in mutant:
                answers[question] = mutant["answer"]
            else:
                old, new = mutant["replace"]
                if old not in solution[question]:
                    raise ValueError(f"mutant {mutant['name']!r}: {old!r} is not in the solution of {question}")
                answers[question] = solution[question].replace(old, new)
            stem = re.sub(r"[^a-z0-9]+", "-", mutant["name"].lower()).strip("-")  # as collect names its file
            yield f"{question}--{stem}", question, mutant["name"], answers


def run_mutants(config, out, jobs, sandbox):
    """Grade every mutant; prints the table and returns True if every verdict is right."""
    files = config.files
    spec = yaml.safe_load(files.mutants.read_text())
    template = nbformat.read(files.student, as_version=4)
    solution = solution_answers(files.master)
    folder = out / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    expected = {"solution": (None, "full marks"), "blank": (None, "zero")}
    nbformat.write(fill_answers(template, solution), folder / "solution.ipynb")
    nbformat.write(template, folder / "blank.ipynb")
    for stem, question, name, answers in mutant_answers(spec, solution, quick_answers(files.mutants)):
        nbformat.write(fill_answers(template, answers), folder / f"{stem}.ipynb")
        expected[stem] = (question, name)
    rows = {r.student: r for r in grade_all([folder], out, config, jobs, sandbox, regrade=[]).rows}
    return _print_table(rows, expected, config)


def _print_table(rows, expected, config):
    possible = sum(p for q, p in config.points.items() if q not in config.manual)  # what the tests can give
    print(f"\n{config.assignment}\n{'notebook':<40} {'question':<17} {'points':>11} {'total':>6}  verdict")
    all_right = True
    for stem, (question, name) in expected.items():
        row = rows[stem]
        total = row.total
        if question is None:
            right = abs(total - (possible if name == "full marks" else 0)) < 1e-4
            points, label = "", f"{stem} ({name})"
        else:
            right = row.graded and row.scores[question] < config.points[question]
            points, label = f"{row.scores[question]:.2f}/{config.points[question]:g}", name
        all_right &= right
        print(f"{label[:40]:<40} {question or '':<17} {points:>11} {total:>6.2f}  {'ok' if right else 'WRONG'}")
    print(
        "every mutant lost points, the solution got full marks, the blank notebook 0"
        if all_right
        else "some verdicts are WRONG"
    )
    return all_right

"""Each submission's answer code, per question: what similarity compares, read and never run.

The answers are found as grading finds them: the submission is read (a notebook or an export
zip) and merged into the template, whose ids say which question each answer cell belongs to;
cells the student added and the given cells are not answers. A copy of the answers is kept in
the submission's folder (answers.json, with the hash of the file it came from), so that
`similarity DIR` can run again where the graded files are gone (an LMS download deleted, a
relative path from another folder); a copy whose hash is not the gradebook's is not used.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from autograder.classroom.gradebook import fingerprint
from autograder.errors import SubmissionError
from autograder.folders import ClassFolder
from autograder.grading.merge import merge, template
from autograder.grading.submission import read_submission

CHECK_ID = re.compile(r"(\w+)-check(?:-\d+)?")  # template.normalize_student_notebook names them
# An answer longer than this is compared by its beginning: tokenising megabytes of code
# would cost the whole class's comparison more time than it could tell.
MAX_ANSWER_CHARS = 100_000


@dataclass(frozen=True)
class Answers:
    student: str
    name: str
    code: dict
    """Each answered question's code: its answer cells' sources, in order."""


@dataclass(frozen=True)
class Unreadable:
    student: str
    file: str
    why: str


def boilerplate(notebook):
    """The template's code, all of it: given cells and the answer cells' stubs, which every student has."""
    return "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")


def class_answers(rows, out, config):
    """(Answers, Unreadable) of the gradebook's `rows`: whatever their status, any submission whose
    notebook can be read takes part; the others are listed with why."""
    found, unreadable, notebook = [], [], template(config)
    for row in rows:
        try:
            code = _answers(row, ClassFolder(out).student(row.student), notebook, config)
        except (SubmissionError, OSError, ValueError, RecursionError) as e:
            unreadable.append(Unreadable(row.student, row.file, str(e) or type(e).__name__))
        else:
            found.append(Answers(row.student, row.name, code))
    return found, unreadable


def _answers(row, folder, notebook, config):
    """The row's answers: the copy kept of its graded file, else read from the file (and a copy kept)."""
    kept = folder.answers
    stored = _stored(kept, row.sha256)
    if stored is not None:
        return stored
    path = Path(row.file)
    if not path.is_file():
        raise SubmissionError(f"{row.file} is not there any more, and no copy of its answers was kept")
    sha256 = fingerprint(path)
    code = answer_code(merge(notebook, read_submission(path, config.assignment)))
    folder.path.mkdir(parents=True, exist_ok=True)
    kept.write_text(json.dumps({"sha256": sha256, "answers": code}, indent=1, sort_keys=True, ensure_ascii=False))
    return code


def _stored(path, sha256):
    """The answers kept for a file with this hash, or None."""
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    answers = kept.get("answers") if isinstance(kept, dict) and kept.get("sha256") == sha256 else None
    if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
        return None
    return answers


def answer_code(merged):
    """Each question's code in a merged notebook ({question: source}), bounded in size: the student's
    cells up to that question's check cell. Its answer cells, and cells the student added before
    the check (helpers; an answer cell whose id was lost, as old Jupyter versions drop ids)."""
    code, pending = defaultdict(list), []
    for cell in merged.cells:
        if cell.get("metadata", {}).get("kit", {}).get("from") == "student":
            pending += [cell.source] if cell.source.strip() else []
        elif (question := _checked(cell)) is not None:
            code[question] += pending
            pending = []
    return {question: "\n\n".join(parts)[:MAX_ANSWER_CHARS] for question, parts in code.items() if parts}


def _checked(cell):
    """The question whose check cell this is (`activations-check`), else None."""
    match = CHECK_ID.fullmatch(cell.get("id") or "")
    return match[1] if match else None

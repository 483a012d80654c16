"""The notebook that is graded: the instructor's template with the student's cells.

Given cells always come from the template, so edits to them (data loading, seeding,
the tests) change nothing, and deleted or reordered ones are restored. The student's
answer cells take their template places; cells the student added run where they stand
between the given cells. Cells are matched by id, or by content when ids were lost.
"""

import copy
from difflib import SequenceMatcher

import nbformat

from autograder.assign.template import apply_config, is_answer, question_of, tags
from autograder.course import assignment_of
from autograder.errors import SubmissionError


def template(config):
    """The notebook submissions are merged into: the student notebook, with the config's points and
    values, and the other name its notebooks may carry (config.known_as)."""
    nb = apply_config(nbformat.read(config.files.student, as_version=4), config)
    nb.metadata["kit"] = {"known_as": list(config.known_as)}
    return nb


def merge(template, submission, skip_tags=()):
    """A new notebook to execute; raises SubmissionError if the two don't match."""
    merged = nbformat.v4.new_notebook(metadata=template.metadata)
    cells = _placed(template, submission, _student_cell, lambda c: c.cell_type == "code", skip_tags)
    merged.cells = [c for c in cells if not tags(c) & set(skip_tags)]
    return merged


def answers_as_submitted(template, submission, question):
    """A notebook of the student's cells of `question` as they handed them in, for a person to read
    (never to run): its answer cells, and the cells they added after them, with their types, outputs
    (plots) and attachments. Placed as `merge` places them, so that a person reads what was graded."""
    cells, owned = [], False
    for cell in _placed(template, submission, _submitted_cell, lambda c: True):
        owner = question_of(cell)
        if owner is not None:
            owned = owner == question
        elif cell.metadata.get("kit", {}).get("from") != "student":
            owned = False
        cells += [cell] if owned else []
    return nbformat.v4.new_notebook(metadata=template.metadata, cells=cells)


def _placed(template, submission, student_cell, added, skip_tags=()):
    """The template's cells with the student's in their places: an answer cell made by `student_cell`
    (the submission's cell, the template's it stands for), the cells they added that `added` keeps
    where they stand between the given cells, and the given cells they deleted restored."""
    _check_assignment(template, submission)
    ids = [cell.id for cell in template.cells]
    known, by_content = set(ids), {(c.cell_type, c.source.strip()): c.id for c in reversed(template.cells)}
    sub_keys = [_submission_key(i, cell, known, by_content) for i, cell in enumerate(submission.cells)]
    blocks = SequenceMatcher(None, ids, sub_keys, autojunk=False).get_matching_blocks()
    anchor = {t + k: s + k for t, s, size in blocks for k in range(size)}
    # the given cells that make the assignment what it is; the kit's own (skip_tags: setup, checks,
    # Submission) are not in a master, which an instructor may grade as a submission
    given = [i for i, c in enumerate(template.cells) if not is_answer(c) and not tags(c) & set(skip_tags)]
    if given and sum(i in anchor for i in given) < len(given) / 2:
        raise SubmissionError("the notebook does not match the assignment: most of its given cells are missing")

    cells, next_sub, unplaced = [], 0, []
    for t, cell in enumerate(template.cells):
        if t not in anchor:
            if not is_answer(cell):
                unplaced.append(cell)  # a given cell the student deleted: restore it
            continue
        s = anchor[t]
        cells += [student_cell(c) for c in submission.cells[next_sub:s] if added(c)]
        cells += unplaced
        unplaced, next_sub = [], s + 1
        cells.append(student_cell(submission.cells[s], like=cell) if is_answer(cell) else cell)
    return cells + [student_cell(c) for c in submission.cells[next_sub:] if added(c)] + unplaced


def _check_assignment(template, submission):
    expected, found = assignment_of(template), assignment_of(submission)
    if found and expected and found not in (expected, *template.metadata.get("kit", {}).get("known_as", [])):
        raise SubmissionError(f"this notebook is for the assignment {found!r}, not {expected!r}")


def _submission_key(index, cell, ids, by_content):
    """The template id this cell stands for: by id, else by identical content."""
    if cell.get("id") in ids:
        return cell.id
    return by_content.get((cell.cell_type, cell.source.strip()), f"student-{index}")


def _student_cell(cell, like=None):
    """A clean cell with the student's source (their metadata and outputs dropped): a code cell, or
    a markdown one where the template's answer cell is markdown (a written answer is not run). In
    the place of the template's cell `like`, it has its id and its tags (the master's: `training`)."""
    metadata = {"kit": {"from": "student"}}
    if like is not None and like.metadata.get("tags"):
        metadata["tags"] = list(like.metadata.tags)
    if like is not None and like.cell_type == "markdown":
        new = nbformat.v4.new_markdown_cell(cell.source, metadata=metadata)
    else:
        new = nbformat.v4.new_code_cell(cell.source, metadata=metadata)
    if like is not None:
        new.id = like.id
    return new


def _submitted_cell(cell, like=None):
    """The student's cell as submitted (its outputs and attachments kept), known as the student's."""
    new = nbformat.from_dict({**copy.deepcopy(dict(cell)), "metadata": {"kit": {"from": "student"}}})
    if like is not None:
        new.id = like.id
    return new

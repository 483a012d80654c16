"""Which submissions share their answers: every pair compared, question by question, ranked.

copydetect (winnowing, as MOSS) fingerprints each answer after tokenising it with Pygments:
names become V (variables, attributes) or F (functions), strings S, comments and layout go,
so renaming, reformatting, commenting and reordering functions hide nothing. Fingerprints
of the template's own code (given cells, the answer cells' stubs) are boilerplate and never
count. A pair's score for a question is the share of both answers' fingerprinted code that
the other one has too; overall, the same over its scored questions (a question in
`context_questions` is shown, never scored). Every k-gram is a fingerprint (copydetect's
window of 1: guarantee = noise threshold), so the scores do not depend on Python's string
hashing, which changes between runs: the same folder gives the same bytes.

A flag is for the instructor to look at; it is never a grade, and nothing of it reaches a
student's folder (students/*/ gets only answers.json, the copy of the answers compared).
"""

import csv
import heapq
from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from autograder.classroom.gradebook import Gradebook, as_text
from autograder.errors import InputError
from autograder.folders import ClassFolder
from autograder.grading.merge import template
from autograder.similarity.answer_code import boilerplate, class_answers
from autograder.similarity.fingerprints import Texts, boilerplate_hashes, fingerprint, shared
from autograder.similarity.model_outline import model_outline
from autograder.similarity.page import write_page


@dataclass(frozen=True)
class Pair:
    a: object  # answer_code.Answers
    b: object
    overall: float
    scores: dict
    """Per question both answered: the share of their code the two have in common."""
    flagged: bool


@dataclass(frozen=True)
class Report:
    pairs: list[Pair]
    """The pairs shown, ranked: flagged ones first, then by overall score."""
    flagged: int
    compared: int
    unreadable: list  # answer_code.Unreadable


def write_similarity(rows, out, config):
    """similarity.csv and similarity.html in `out` for the gradebook's rows; returns the Report."""
    out.mkdir(parents=True, exist_ok=True)
    answers, unreadable = class_answers(rows, out, config)
    prints = _fingerprints(answers, config)
    scored = [q for q in config.points if q not in config.context_questions]
    flagged = Counter()
    shown = heapq.nsmallest(config.pairs_shown, _counted(_pairs(answers, prints, scored, config), flagged), key=_rank)
    report = Report(shown, flagged[True], len(answers) * (len(answers) - 1) // 2, unreadable)
    questions = [q for q in config.points if any(q in a.code for a in answers)]
    _write_csv(report.pairs, questions, scored, ClassFolder(out).similarity_csv)
    outlines = {a.student: _outline(a) for a in answers}
    write_page(report, questions, scored, prints, outlines, config, ClassFolder(out).similarity)
    return report


def graded_class(out):
    """The class folder `out`, which must hold a graded class."""
    folder = ClassFolder(out)
    if not folder.gradebook.is_file():
        raise InputError(f"{out} has no gradebook.csv: grade the class into it first (grade PATH... --out {out})")
    return folder


def similarity_again(out, config):
    """write_similarity for a graded class's folder, from its gradebook: nothing is graded."""
    book = Gradebook.of(graded_class(out).gradebook, config)
    return write_similarity(sorted(book.read().values(), key=lambda row: row.student), out, config)


def _fingerprints(answers, config):
    """{(student, question): CodeFingerprint} of every answer, the template's code left out."""
    k = config.noise_threshold
    known = boilerplate_hashes(boilerplate(template(config)), k)
    return {(a.student, q): fingerprint(code, k, known) for a in answers for q, code in a.code.items()}


def _pairs(answers, prints, scored, config):
    """Every pair of submissions that shares any answer code, scored."""
    texts = {q: Texts({s: fp for (s, question), fp in prints.items() if question == q}) for q in config.points}
    found = shared(texts)
    for a, b in combinations(sorted(answers, key=lambda x: x.student), 2):
        both = [q for q in config.points if q in a.code and q in b.code]
        parts = {q: texts[q].between(found[q], a.student, b.student) for q in both}
        parts = {q: part for q, part in parts.items() if part[1]}  # both have answer code past the boilerplate
        scores = {q: round(common / size, 4) for q, (common, size) in parts.items()}
        common, size = (sum(parts[q][i] for q in scored if q in parts) for i in (0, 1))
        overall = round(common / size, 4) if size else 0.0
        if any(scores.values()):
            flagged = max([overall, *(scores[q] for q in scored if q in scores)]) >= config.flag_threshold
            yield Pair(a, b, overall, scores, flagged)


def _counted(pairs, flagged):
    """The pairs, the flagged ones counted as they pass (a class of 500 has 124,750 pairs: never all held)."""
    for pair in pairs:
        flagged[pair.flagged] += 1
        yield pair


def _rank(pair):
    return (not pair.flagged, -pair.overall, -max(pair.scores.values(), default=0), pair.a.student, pair.b.student)


def _outline(answers):
    return "; ".join(filter(None, (model_outline(code) for code in answers.code.values())))


def _write_csv(pairs, questions, scored, path):
    """One line per pair shown: who, the overall score, each question's (context ones marked), the flag."""
    names = [q if q in scored else f"{q} (context)" for q in questions]
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["rank", "student_a", "name_a", "student_b", "name_b", "overall", *names, "flagged"])
        for rank, p in enumerate(pairs, 1):
            who = [as_text(v) for v in (p.a.student, p.a.name, p.b.student, p.b.name)]
            scores = [p.scores.get(q, "") for q in questions]
            writer.writerow([rank, *who, p.overall, *scores, "yes" if p.flagged else ""])

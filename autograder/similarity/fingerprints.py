"""copydetect's fingerprints of a class's answers, and what each two answers of a question share.

Answers equal once tokenised (a renamed copy is) are fingerprinted and compared once: the
score of two answers depends on their tokenised texts alone. Two texts that share no
fingerprint share nothing (copydetect says 0 too), which a set intersection tells in
microseconds; the others go to copydetect's `compare_files` (~0.2 ms each). A large class
compares in a pool of processes, one per core: the same numbers, in any order.

Every k-gram is a fingerprint (copydetect's window of 1: the guarantee threshold equals the
noise threshold): with a wider window, winnowing keeps the smallest of Python's string
hashes, which change from one run to the next, and so would the scores.
"""

import io
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from copydetect import CodeFingerprint, compare_files

WINDOW = 1
# Below this many comparisons one process is quicker than starting others.
POOL_FROM = 20_000


def fingerprint(code, k, boilerplate=()):
    """copydetect's fingerprint of Python code (its tokens: names as V and F, strings as S, no comments)."""
    known = np.asarray(boilerplate, dtype=np.int64)
    return CodeFingerprint("answer.py", k, WINDOW, boilerplate=known, language="python", fp=io.StringIO(code))


def boilerplate_hashes(code, k):
    """The fingerprints of code every student was given: they never count."""
    return sorted(fingerprint(code, k).hashes)


class Texts:
    """One question's distinct tokenised answers: each fingerprinted once, indexed."""

    def __init__(self, prints):
        """`prints`: {student: CodeFingerprint} of this question's answers."""
        self.representative = {}
        for student in sorted(prints):
            self.representative.setdefault(prints[student].filtered_code, prints[student])
        index = {text: n for n, text in enumerate(sorted(self.representative))}
        self.of = {student: index[fp.filtered_code] for student, fp in prints.items()}
        self.prints = [self.representative[text] for text in sorted(self.representative)]

    def between(self, found, a, b):
        """(tokens both have, tokens of both) of students a's and b's answers, from `shared`'s table."""
        i, j = sorted((self.of[a], self.of[b]))
        return found.get((i, j)) or (0.0, float(self.prints[i].token_coverage + self.prints[j].token_coverage))


def shared(questions):
    """{question: {(i, j): (tokens both have, tokens of both)}} for the distinct texts i <= j of each
    question's `Texts` (`questions`: {question: Texts}); pairs that share nothing are left out."""
    tasks = [(q, i) for q, texts in questions.items() for i in range(len(texts.prints))]
    work = sum(len(t.prints) ** 2 for t in questions.values()) // 2
    found = {q: {} for q in questions}
    if work < POOL_FROM or (os.cpu_count() or 1) < 2:
        _start({q: t.prints for q, t in questions.items()})
        rows = map(_row, tasks)
        for (q, _), row in zip(tasks, rows):
            found[q].update(row)
        return found
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: the caller may hold threads
    initial = ({q: t.prints for q, t in questions.items()},)
    with ProcessPoolExecutor(os.cpu_count(), spawn, initializer=_start, initargs=initial) as pool:
        for (q, _), row in zip(tasks, pool.map(_row, tasks, chunksize=16)):
            found[q].update(row)
    return found


_PRINTS = {}  # a worker's copy of every question's fingerprints


def _start(prints):
    _PRINTS.clear()
    _PRINTS.update({q: (fps, [set(fp.hashes) for fp in fps]) for q, fps in prints.items()})


def _row(task):
    """What text i of a question shares with each text j >= i that has a fingerprint in common."""
    question, i = task
    prints, sets = _PRINTS[question]
    row = {}
    for j in range(i, len(prints)):
        if sets[i].isdisjoint(sets[j]):
            continue
        left, right = prints[i], prints[j]
        _, (share_left, share_right), _ = compare_files(left, right)
        common = share_left * left.token_coverage + share_right * right.token_coverage
        row[i, j] = (float(common), float(left.token_coverage + right.token_coverage))
    return row

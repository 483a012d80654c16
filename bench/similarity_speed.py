"""Benchmark: the similarity step on classes of 100, 250 and 500 submissions; time and peak memory.

Each class is made from a few dozen answer variants (the solution's, the planted bugs of
mutants.yml, the similarity test's students), one per question, each copy disguised at random
(variables renamed, comments added, functions reordered). Disguised copies are equal once
tokenised, and the step compares equal texts once: "as specified". The worst case gives each
submission one line of its own as well, so that no two are equal once tokenised and every pair
is compared by copydetect. The step runs as `grade` runs it (each notebook read and merged)
and again as `similarity DIR` does (from the kept answers), each class in a fresh process,
whose peak resident memory is reported, and in brackets the peak of it and its pool's workers
together (a large class is compared in one worker process per core), sampled every 0.2 s.

Run it with `make bench-similarity` (about five minutes on 2 cores).
"""

import ast
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
import yaml

from autograder.assign.answers import fill_answers, solution_answers
from autograder.classroom.gradebook import Row, fingerprint
from autograder.config import load_config
from autograder.contract import Status
from autograder.similarity.compare import write_similarity
from tests.similarity.similar_class import BOB, CAROL, DAVE

SIZES = (100, 250, 500)
QUESTIONS = ("activations", "gradient_descent", "improved_model")
WORDS = "alpha beta gamma delta values data arr vec inp result res tmp item point weight lr step".split()


def variants(config):
    """{question: [answer, ...]}: the solution's, each planted bug's, the test students'."""
    master = config.files.master
    solution = solution_answers(master)
    found = {q: [solution[q]] + [s[q] for s in (BOB, CAROL, DAVE) if q in s] for q in QUESTIONS}
    for question, mutants in yaml.safe_load(master.with_suffix(".mutants.yml").read_text())["mutants"].items():
        for mutant in mutants:
            if question in found and "replace" in mutant:
                found[question].append(solution[question].replace(*mutant["replace"]))
    return found


def disguised(code, rng, n, own_line):
    """The code with its variables renamed, comments added, its functions in another order (and a line of its own)."""
    tree = ast.parse(code)
    names = {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    names |= {v.id for v in ast.walk(tree) if isinstance(v, ast.Name) and isinstance(v.ctx, ast.Store)}
    for name in sorted(names):
        if rng.random() < 0.7:
            code = re.sub(rf"\b{name}\b", f"{rng.choice(WORDS)}_{name[:2]}", code)
    lines = code.splitlines()
    functions = [n for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)]
    blocks = ["\n".join(lines[f.lineno - 1 : f.end_lineno]) for f in functions]
    rng.shuffle(blocks)
    text = "\n\n\n".join(blocks) or code
    text = "\n".join(
        f"{line}  # {rng.choice(WORDS)}" if line.strip() and rng.random() < 0.2 else line for line in text.split("\n")
    )
    return text.replace("\n", f"\n    checked_{n} = {rng.randrange(10**6)}\n", 1) if blocks and own_line else text


def make_class(folder, size, config, own_line):
    """`size` notebooks in `folder` and their gradebook rows."""
    rng, options = random.Random(size), variants(config)
    template = nbformat.read(config.files.student, as_version=4)
    rows = []
    for n in range(size):
        answers = {q: disguised(rng.choice(options[q]), rng, n, own_line) for q in QUESTIONS}
        path = folder / f"student{n:04d}.ipynb"
        nbformat.write(fill_answers(template, answers), path)
        key = path.stem
        rows.append(Row(key, key, "", str(path), fingerprint(path), 0, "", Status.GRADED, {}, 0, 0, 0, 10, {}, 0, ""))
    return rows


def measure(size, own_line):
    """One class, in this process: seconds from the notebooks, again from the kept answers, peak MB."""
    config = load_config(assignment="deep_learning_primer")
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "class", Path(tmp) / "out"
        folder.mkdir()
        out.mkdir()
        rows = make_class(folder, size, config, own_line)
        tree = TreeMemory()
        tree.start()
        started = time.perf_counter()
        report = write_similarity(rows, out, config)
        first = time.perf_counter() - started
        started = time.perf_counter()
        write_similarity(rows, out, config)
        again = time.perf_counter() - started
        tree.done.set()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"size": size, "seconds": round(first, 1), "again": round(again, 1), "peak_mb": round(peak)} | {
        "tree_mb": round(tree.peak / 2**20),
        "pairs": report.compared,
        "flagged": report.flagged,
    }


class TreeMemory(threading.Thread):
    """The peak of this process's and its children's resident memory together (the pool's workers)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.done = 0, threading.Event()

    def run(self):
        me = psutil.Process()
        while not self.done.wait(0.2):
            try:
                self.peak = max(self.peak, sum(p.memory_info().rss for p in [me, *me.children(recursive=True)]))
            except psutil.Error:
                continue


def main():
    if len(sys.argv) > 1:
        print(json.dumps(measure(int(sys.argv[1]), sys.argv[2] == "worst")))
        return
    print(f"load average before: {os.getloadavg()[0]:.1f} (other work on the machine slows every number)")
    print(
        "class          submissions    pairs  flagged  from notebooks  again (kept answers)  peak memory (with workers)"
    )
    for kind in ("as specified", "worst case"):
        for size in SIZES:
            argv = [sys.executable, __file__, str(size), kind.split()[0]]
            m = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
            print(
                f"{kind:<13}  {size:>11}  {m['pairs']:>7}  {m['flagged']:>7}  {m['seconds']:>12.1f} s"
                f"  {m['again']:>18.1f} s  {m['peak_mb']:>8} MB ({m['tree_mb']} MB)",
                flush=True,
            )


if __name__ == "__main__":
    main()

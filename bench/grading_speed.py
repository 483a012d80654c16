"""Benchmark: the kit's bulk grading against a sequential loop of `otter run`.

Both grade the same 12 submissions (4 complete with real training, 4 partial, 4 blank)
on this machine, one after the other. Prints both wall times, the ratio, whether the
per-question scores agree, and where the kit's time went per submission (the phases its
grade.json records): the grading overhead is a submission's wall time minus its notebook's
own cells. Run it with `make bench`.
"""

import contextlib
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import ROOT
from autograder.assign.answers import fill_answers, quick_answers, solution_answers
from autograder.assign.build import build_one
from autograder.config import load_config


def make_class(folder, template, master):
    """4 complete (real training), 4 partial (one answer, quick training), 4 blank."""
    folder.mkdir()
    solution = solution_answers(master)
    partial = {"gradient_descent": "def gradient(w):\n    return 2 * (w - 3)\n", **quick_answers(master)}
    blank = nbformat.read(template, as_version=4)
    for i in range(4):
        nbformat.write(fill_answers(blank, solution), folder / f"complete{i}.ipynb")
        nbformat.write(fill_answers(blank, {**solution, **partial}), folder / f"partial{i}.ipynb")
        nbformat.write(blank, folder / f"blank{i}.ipynb")
    return sorted(folder.glob("*.ipynb"))


@contextlib.contextmanager
def benchmark_class():
    """The assignment built, and the 12 submissions made in a temporary folder: (folder, their paths)."""
    config = load_config(assignment="deep_learning_primer")
    template = build_one(config, config.root, config.root)
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp), make_class(Path(tmp) / "class", template, config.files.master)


def kit(folder, out):
    subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(folder), "--out", str(out)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with open(out / "gradebook.csv", newline="") as f:
        return {
            row["student"]: {q: float(row[q]) for q in load_config(assignment="deep_learning_primer").points}
            for row in csv.DictReader(f)
        }


def overhead_table(out):
    """Median and max over the class, per phase (s): after the hand-over, with the wall time and the
    overhead (wall minus the notebook's cells), then the phases run ahead, before it; then each
    submission's overhead and its wait for a ready child (the run's start, after quick gradings),
    which is queueing, not grading: in the wall time of the class, not in the overhead."""
    after, ahead, each = [], [], []
    for path in sorted(out.glob("students/*/grade.json")):
        record = json.loads(path.read_text())
        phases = record["measurements"]["phases"]
        wall = record["seconds"] + phases.get("reports", 0)
        overhead = wall - phases.get("notebook cells", 0)
        waited = record["measurements"].get("waited_for_a_ready_child", 0.0)
        after.append(
            {
                **phases,
                "unaccounted (hand-over, exit, clean-up)": wall - sum(phases.values()),
                "wall (from the hand-over)": wall,
                "OVERHEAD (wall - notebook cells)": overhead,
            }
        )
        ahead.append({**record["measurements"].get("phases_ahead", {}), "WAITED for a ready child": waited})
        each.append(f"  {path.parent.name:12} overhead {overhead:5.2f}  waited for a ready child {waited:5.2f}")
    lines = [f"{'per submission, s':42} {'median':>7} {'max':>7}", *_rows(after)]
    lines += ["ready ahead, before the hand-over:", *_rows(ahead), "each submission, s:", *each]
    waited = sum(a["WAITED for a ready child"] for a in ahead)
    return "\n".join(lines) + f"\n(over {len(after)} submissions; {waited:.1f} s waited for ready children in all)"


def _rows(measured):
    names = list(dict.fromkeys(name for m in measured for name in m))
    for name in names:
        seconds = [m.get(name, 0.0) for m in measured]
        yield f"{name:42} {statistics.median(seconds):7.2f} {max(seconds):7.2f}"


def otter_loop(submissions, out, otter_zip, questions):
    """Each submission through `otter run`, one after the other: its points per question (of `questions`)."""
    scores = {}
    for path in submissions:
        target = out / path.stem
        target.mkdir(parents=True)
        subprocess.run(
            [sys.executable, "-m", "otter", "run", "-a", str(otter_zip), "-o", str(target), "--no-logo", str(path)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        results = json.loads((target / "results.json").read_text())
        scores[path.stem] = {t["name"]: float(t["score"]) for t in results["tests"] if t["name"] in questions}
    return scores


def timed(function, *args):
    started = time.monotonic()
    value = function(*args)
    return time.monotonic() - started, value


def main():
    config = load_config(assignment="deep_learning_primer")
    with benchmark_class() as (tmp, submissions):
        print(f"{len(submissions)} submissions; grading with the kit (-j default) ...", flush=True)
        kit_seconds, kit_scores = timed(kit, tmp / "class", tmp / "kit")
        print(f"kit: {kit_seconds:.0f} s; now a sequential loop of `otter run` ...", flush=True)
        otter_seconds, otter_scores = timed(
            otter_loop, submissions, tmp / "otter", config.files.otter_zip, config.points
        )
        overheads = overhead_table(tmp / "kit")
    differ = sorted(s for s in kit_scores if kit_scores[s] != otter_scores.get(s))
    print(f"kit bulk grading:       {kit_seconds:7.1f} s")
    print(f"otter run, sequential:  {otter_seconds:7.1f} s")
    print(f"speed-up:               {otter_seconds / kit_seconds:7.2f}x")
    print(f"per-question scores agree: {'yes' if not differ else 'NO: ' + ', '.join(differ)}")
    for name in differ:
        print(f"  {name}: kit {kit_scores[name]}  otter {otter_scores.get(name)}")
    print(overheads)


if __name__ == "__main__":
    main()

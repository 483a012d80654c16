"""Benchmark: a NumPy assignment (no TensorFlow, no data), the kit against a sequential loop of `otter run`.

The instructor's assignment of tests/test_course.py (two questions, NumPy only) is built in a copy
of the course; 50 submissions (solutions, wrong answers, half-answered and blank notebooks) are
graded by the kit (-j 2, in the sandbox, as a class) and by `otter run` with the same build's
otter-autograder.zip, one after the other. Prints both wall times, the ratio, the median and the
slowest submission's seconds in the kit (from the hand-over, as grade.json records them), and
whether the per-question scores agree. Run it with `make bench` (after the primer's benchmark).
"""

import shutil
import statistics
import tempfile
from pathlib import Path

import nbformat

from autograder import ROOT
from autograder.assign.answers import fill_answers, solution_answers
from autograder.assign.build import build_one
from autograder.classroom.bulk import grade_all
from autograder.config import load_config
from autograder.grading.sandbox import Sandbox
from bench.grading_speed import otter_loop, timed
from tests.test_course import write_master

SUBMISSIONS = 50


def make_class(folder, config):
    """SUBMISSIONS notebooks, in turn: the solution, a wrong mse, only mse answered, blank."""
    folder.mkdir()
    template = nbformat.read(config.files.student, as_version=4)
    solution = solution_answers(config.files.master)
    kinds = [
        solution,
        {**solution, "mse": solution["mse"].replace("np.mean(", "np.sum(")},
        {"mse": solution["mse"]},
        {},
    ]
    for n in range(SUBMISSIONS):
        nbformat.write(fill_answers(template, kinds[n % len(kinds)]), folder / f"student{n:02}.ipynb")
    return sorted(folder.glob("*.ipynb"))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        course = tmp / "course"
        shutil.copytree(ROOT / "solutions", course / "solutions")
        write_master(course / "solutions" / "mse.ipynb", kit_only_checks=False)  # otter's run loads what it likes
        config = load_config(ROOT / "grading_config.yml", course, "mse")
        build_one(config, course, course)
        submissions = make_class(tmp / "class", config)
        print(f"{len(submissions)} submissions of a NumPy assignment; the kit (-j 2) ...", flush=True)
        kit_seconds, graded = timed(grade_all, [tmp / "class"], tmp / "kit", config, 2, Sandbox.choose())
        kit_scores = {r.student: r.scores for r in graded.rows}
        print(f"kit: {kit_seconds:.0f} s; now a sequential loop of `otter run` ...", flush=True)
        otter_seconds, otter_scores = timed(
            otter_loop, submissions, tmp / "otter", config.files.otter_zip, config.points
        )
        each = [r.seconds for r in graded.rows]
    differ = sorted(s for s in kit_scores if kit_scores[s] != otter_scores.get(s))
    print(f"kit bulk grading (-j 2):  {kit_seconds:7.1f} s")
    print(f"otter run, sequential:    {otter_seconds:7.1f} s")
    print(f"speed-up:                 {otter_seconds / kit_seconds:7.2f}x")
    print("a submission in the kit, from its hand-over to a ready grading process to its result:")
    print(f"                          median {statistics.median(each):.2f} s, slowest {max(each):.2f} s")
    print(f"per-question scores agree: {'yes' if not differ else 'NO: ' + ', '.join(differ)}")


if __name__ == "__main__":
    main()

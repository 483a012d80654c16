"""Benchmark: the kit's bulk grading against a sequential loop of `otter run`.

Both grade the same 12 submissions (4 complete with real training, 4 partial, 4 blank)
on this machine, one after the other. Prints both wall times, the ratio, and whether
the per-question scores agree. Run it with `make bench`.
"""
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from autograder import ROOT  # noqa: E402
from autograder.build import build, dist_dir  # noqa: E402
from autograder.config import load_config  # noqa: E402
from conftest import QUICK_TRAINING, make_submission  # noqa: E402

PARTIAL = {"gradient_descent": "def gradient(w):\n    return 2 * (w - 3)\n", "mnist_accuracy": QUICK_TRAINING}


def make_class(folder, template):
    folder.mkdir()
    for i in range(4):
        make_submission(folder / f"complete{i}.ipynb", template)
        make_submission(folder / f"partial{i}.ipynb", template, **PARTIAL)
        (folder / f"blank{i}.ipynb").write_bytes(template.read_bytes())
    return sorted(folder.glob("*.ipynb"))


def kit(folder, out):
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--out", str(out)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with open(out / "gradebook.csv", newline="") as f:
        return {row["student"]: {q: float(row[q]) for q in load_config().points} for row in csv.DictReader(f)}


def otter_loop(submissions, out, otter_zip):
    scores = {}
    for path in submissions:
        target = out / path.stem
        target.mkdir(parents=True)
        subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(otter_zip), "-o", str(target), "--no-logo", str(path)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results = json.loads((target / "results.json").read_text())
        scores[path.stem] = {t["name"]: float(t["score"]) for t in results["tests"] if t["name"] in load_config().points}
    return scores


def timed(function, *args):
    started = time.monotonic()
    value = function(*args)
    return time.monotonic() - started, value


def main():
    config = load_config()
    template = build(config)[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        submissions = make_class(tmp / "class", template)
        print(f"{len(submissions)} submissions; grading with the kit (-j default) ...", flush=True)
        kit_seconds, kit_scores = timed(kit, tmp / "class", tmp / "kit")
        print(f"kit: {kit_seconds:.0f} s; now a sequential loop of `otter run` ...", flush=True)
        otter_seconds, otter_scores = timed(otter_loop, submissions, tmp / "otter", dist_dir(config.assignment) / "otter-autograder.zip")
    differ = sorted(s for s in kit_scores if kit_scores[s] != otter_scores.get(s))
    print(f"kit bulk grading:       {kit_seconds:7.1f} s")
    print(f"otter run, sequential:  {otter_seconds:7.1f} s")
    print(f"speed-up:               {otter_seconds / kit_seconds:7.2f}x")
    print(f"per-question scores agree: {'yes' if not differ else 'NO: ' + ', '.join(differ)}")
    for name in differ:
        print(f"  {name}: kit {kit_scores[name]}  otter {otter_scores.get(name)}")


if __name__ == "__main__":
    main()

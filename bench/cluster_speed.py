"""Benchmark: one class graded on a Dask cluster of 1 worker, then of 2 workers, on this machine.

The same 12 submissions as `make bench` (4 complete with real training, 4 partial, 4 blank),
graded by the kit's command line with `--scheduler`, each worker one process with one thread
(one submission at a time) as the README starts them. Prints both wall times, their ratio,
the mean seconds per submission (the cost to multiply for N machines) and whether the two
gradebooks agree. Run it with `make bench-cluster`.
"""

import csv
import subprocess
import sys
import time

from distributed import LocalCluster

from autograder import ROOT
from autograder.config import load_config
from bench.grading_speed import benchmark_class


def on_cluster(workers, folder, out):
    """Wall seconds to grade `folder` on `workers` single-threaded workers, and the gradebook."""
    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster:
        started = time.monotonic()
        command = ["grade", str(folder), "--out", str(out), "--scheduler", cluster.scheduler_address]
        subprocess.run([sys.executable, "-m", "autograder", *command], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        seconds = time.monotonic() - started
    with open(out / "gradebook.csv", newline="") as f:
        return seconds, {row["student"]: row for row in csv.DictReader(f)}


def main():
    with benchmark_class() as (tmp, submissions):
        print(f"{len(submissions)} submissions; on 1 Dask worker ...", flush=True)
        one, one_book = on_cluster(1, tmp / "class", tmp / "one")
        print(f"1 worker: {one:.0f} s; on 2 workers ...", flush=True)
        two, two_book = on_cluster(2, tmp / "class", tmp / "two")
    same = ("status", "total", "error", *load_config(assignment="deep_learning_primer").points)
    differ = sorted(s for s in one_book if any(one_book[s][k] != two_book[s][k] for k in same))
    grading = sum(float(row["seconds"]) for row in one_book.values()) / len(one_book)
    print(f"1 worker:                  {one:7.1f} s")
    print(f"2 workers:                 {two:7.1f} s")
    print(f"speed-up:                  {one / two:7.2f}x")
    print(f"per submission, 1 worker:  {one / len(one_book):7.1f} s wall ({grading:.1f} s grading)")
    print(f"gradebooks agree:          {'yes' if not differ else 'NO: ' + ', '.join(differ)}")


if __name__ == "__main__":
    main()

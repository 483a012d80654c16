"""Grade a whole class in parallel, losing nothing.

Each submission is graded by `isolate` in its own process. A row goes into
gradebook.csv (flushed to disk) as soon as a submission is done, so a crash or Ctrl-C
keeps every finished row, and running the same command again skips them.
"""
import csv
import os
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed

from tqdm import tqdm

from .collect import collect
from .isolate import grade_isolated
from .integrity import KitGuard
from .summary import write_summary

FIXED = ["student", "name", "lms_id", "file", "status"]
TRAILING = ["total", "possible", "test_accuracy", "seconds", "error"]


def grade_all(paths, out, config, jobs, regrade=False, canvas_csv=False):
    """Grade every submission found under `paths` into `out`; returns the gradebook rows."""
    out.mkdir(parents=True, exist_ok=True)
    submissions = collect(paths, out / "unpacked")
    columns = FIXED + list(config.points) + TRAILING
    gradebook = out / "gradebook.csv"
    rows = {} if regrade else _read(gradebook)
    todo = [s for s in submissions if s.student not in rows]
    fresh = regrade or not rows
    with open(gradebook, "w" if fresh else "a", newline="") as f, \
            tqdm(total=len(submissions), initial=len(submissions) - len(todo), unit="submission") as bar:
        writer = csv.DictWriter(f, columns)
        if fresh:
            writer.writeheader()
        failures = 0
        for row in _graded(todo, out, config, jobs):
            rows[row["student"]] = row
            writer.writerow(row)
            f.flush()
            os.fsync(f.fileno())  # on disk before the next one: a crash loses no finished row
            failures += row["status"] != "graded"
            bar.set_postfix(failed=failures)
            bar.update()
    ordered = [rows[s.student] for s in submissions if s.student in rows]
    _rewrite(gradebook, columns, ordered)
    write_summary(ordered, out, config)
    if canvas_csv:
        write_canvas_csv(ordered, out / "canvas_grades.csv", config)
    return ordered


def _graded(submissions, out, config, jobs):
    """Gradebook rows as submissions finish, `jobs` at a time."""
    threads = max(1, (os.cpu_count() or 1) // jobs)  # TensorFlow's threads, split between workers
    guard, stop = KitGuard(), threading.Event()
    pool = ThreadPoolExecutor(jobs)
    try:
        futures = [pool.submit(_grade, s, out, config, threads, guard, stop) for s in submissions]
        for future in as_completed(futures):
            yield future.result()
    finally:  # also on Ctrl-C: stop the gradings under way; rows already written stay
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)


def write_canvas_csv(rows, path, config):
    """Totals in the layout of Canvas's gradebook import (matched on Canvas's user ID)."""
    columns = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", config.assignment]
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerow(["Points Possible", "", "", "", "", f"{sum(config.points.values()):g}"])
        for row in rows:
            writer.writerow([row["name"], row["lms_id"], "", "", "", row["total"]])


def _grade(submission, out, config, threads, guard, stop):
    with guard.watching(submission.student) as tampered:
        result = grade_isolated(submission, out / "students" / submission.student, config, threads, stop)
    if tampered:
        result.status, result.error = "tampered", tampered[0]
    return _row(submission, result)


def _row(submission, result):
    row = {
        "student": submission.student,
        "name": submission.name,
        "lms_id": submission.lms_id,
        "file": str(submission.path),
        "status": result.status,
        "total": round(result.score, 4),
        "possible": round(result.possible, 4),
        "test_accuracy": result.measurements.get("test_accuracy", ""),
        "seconds": result.seconds,
        "error": result.error or "",
    }
    row |= {q.name: q.score for q in result.questions}
    return row


def _read(path):
    if not path.exists():
        return {}
    with open(path, newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def _rewrite(path, columns, rows):
    """The final gradebook: one row per submission, in the order they were found."""
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)

"""Grade a whole class in parallel, losing nothing.

Each submission is graded by `grading.isolate` in its own process. A row goes into
gradebook.csv (on disk) as soon as a submission is done, so a crash or Ctrl-C keeps
every finished row, and running the same command again skips them.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed

from tqdm import tqdm

from autograder.classroom.collect import collect
from autograder.classroom.gradebook import Gradebook, Row
from autograder.classroom.summary import write_summary
from autograder.grading.isolate import grade_isolated


def grade_all(paths, out, config, jobs, sandbox, regrade=False) -> list[Row]:
    """Grade every submission found under `paths` into `out`, each in `sandbox`; returns the gradebook rows."""
    out.mkdir(parents=True, exist_ok=True)
    submissions = collect(paths, out / "unpacked")
    book = Gradebook(out / "gradebook.csv", config.points)
    rows = {} if regrade else book.read()
    todo = [s for s in submissions if s.student not in rows]
    with (
        book.appending(fresh=regrade or not rows) as add,
        tqdm(total=len(submissions), initial=len(submissions) - len(todo), unit="submission") as bar,
    ):
        failures = 0
        for row in _graded(todo, out, config, jobs, sandbox):
            rows[row.student] = row
            add(row)
            failures += not row.graded
            bar.set_postfix(failed=failures)
            bar.update()
    ordered = [rows[s.student] for s in submissions if s.student in rows]
    book.rewrite(ordered)
    write_summary(ordered, out, config)
    return ordered


def _graded(submissions, out, config, jobs, sandbox):
    """Gradebook rows as submissions finish, `jobs` at a time."""
    threads = max(1, (os.cpu_count() or 1) // jobs)  # TensorFlow's threads, split between workers
    stop = threading.Event()
    pool = ThreadPoolExecutor(jobs)
    try:
        futures = [pool.submit(_grade, s, out, config, threads, stop, sandbox) for s in submissions]
        for future in as_completed(futures):
            yield future.result()
    finally:  # also on Ctrl-C: stop the gradings under way; rows already written stay
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)


def _grade(submission, out, config, threads, stop, sandbox):
    result = grade_isolated(submission, out / "students" / submission.student, config, threads, stop, sandbox)
    return Row.of(submission, result)

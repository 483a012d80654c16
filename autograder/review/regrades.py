"""Regrades in the background: a submission takes seconds to a minute, longer than a request may.

One at a time (a grading uses the machine's cores), in the order asked; each student's page
reads its state and refreshes itself until the regrade ends.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from autograder.errors import KitError


@dataclass
class Regrade:
    questions: list
    """The questions regraded; empty for all of them."""
    state: str = "queued"
    """queued, running, done or failed."""
    message: str = ""
    asked: float = field(default_factory=time.time)


class Regrades:
    """The regrades asked for, by student; `grade(key, questions)` does one (bulk.regrade's work)."""

    def __init__(self, grade):
        self.grade, self.pool, self.lock, self.by_student = grade, ThreadPoolExecutor(1), threading.Lock(), {}

    def start(self, key, questions):
        """Queue a regrade of `key` unless one is queued or running already."""
        with self.lock:
            if self.busy(key):
                return
            self.by_student[key] = job = Regrade(list(questions))
        self.pool.submit(self._run, key, job)

    def of(self, key):
        """The student's latest regrade, or None."""
        return self.by_student.get(key)

    def busy(self, key):
        job = self.by_student.get(key)
        return job is not None and job.state in ("queued", "running")

    def _run(self, key, job):
        job.state = "running"
        try:
            row = self.grade(key, job.questions or None)
            job.state, job.message = "done", f"total now {row.total:g} of {row.possible:g}"
        except KitError as e:
            job.state, job.message = "failed", str(e)
        except Exception as e:  # a thread's exception is otherwise lost: the page must say it
            job.state, job.message = "failed", f"{type(e).__name__}: {e}"

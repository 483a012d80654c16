"""Where a grading's time goes, phase by phase: the record `make bench` reads from grade.json.

The grading child wraps its steps in `phase(name)`; phases nest, and each second is
charged to the innermost phase running (a model rebuilt inside a test is "model rebuild",
not "tests"), or to `OTHER` when none is: the phases add up to the time recorded. Outside
`recording()` a phase costs a clock read and records nothing.
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar

OTHER = "other (in no phase)"
_clock = ContextVar("phases", default=None)


class _Clock:
    def __init__(self):
        self.seconds, self.running, self.since = {}, [OTHER], time.monotonic()

    def switch(self, to=None, leaving=False):
        """Charge the time since the last switch to the phase running, then run `to` (or go back out)."""
        now = time.monotonic()
        if self.running:
            name = self.running[-1]
            self.seconds[name] = self.seconds.get(name, 0.0) + now - self.since
        if leaving:
            self.running.pop()
        if to is not None:
            self.running.append(to)
        self.since = now


@contextmanager
def recording(seconds):
    """Record the phases run inside into the dict `seconds` (name -> seconds, rounded to 10 ms)."""
    clock = _Clock()
    token = _clock.set(clock)
    try:
        yield
    finally:
        clock.switch()
        _clock.reset(token)
        seconds.update({name: round(s, 2) for name, s in clock.seconds.items()})


@contextmanager
def phase(name):
    clock = _clock.get()
    if clock is None:
        yield
        return
    clock.switch(to=name)
    try:
        yield
    finally:
        clock.switch(leaving=True)

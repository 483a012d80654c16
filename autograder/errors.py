"""The kit's errors, in one place.

Two families, kept apart as PrairieLearn keeps "your code raised" apart from "internal
grading error":

- `KitError` and its subclasses: something about the kit, its config, its data or a
  file handed to it. The command line prints their message as one line, never a trace.
  Each keeps a builtin base too, so `except ValueError` in a caller still works.
- `StudentError`: the student's code failed while a test asked it for something. It
  only ever fails the test that asked; it is never a kit error.
"""

from autograder.names import shown


class KitError(Exception):
    """The root of the kit's own errors; `str(e)` is a complete one-line message."""


class ConfigError(KitError, ValueError):
    """grading_config.yml is unreadable or breaks its schema."""


class BuildError(KitError, ValueError):
    """A master notebook the kit cannot build: the message names the file and what to change."""


class BuildMissingError(KitError, FileNotFoundError):
    """A built file grading needs is not there: `python -m autograder build` first."""

    @classmethod
    def for_path(cls, path):
        return cls(f"{path} is missing: run `python -m autograder build` first")


class DataNotFoundError(KitError, FileNotFoundError):
    """A data file an assignment's grading reads is missing, or is not what it must be (hooks.find_data)."""


class SubmissionError(KitError, ValueError):
    """A submitted file cannot be graded (not a notebook, another assignment, ...).

    Its message names the student's file, which the student named: it is `shown` (no control
    or bidirectional characters), wherever it goes (results.json, the pages, the terminal)."""

    def __init__(self, message):
        super().__init__(shown(message))


class UnsafeModelError(KitError, ValueError):
    """A student's model cannot be rebuilt safely in the grader, or is over the size limit."""


class SandboxUnavailableError(KitError, RuntimeError):
    """Student code cannot be sandboxed here, and the instructor did not ask for trusted grading."""


class ContractError(KitError, ValueError):
    """A record read back from a grading (grade.json, a child's result) is malformed."""


class InputError(KitError, FileNotFoundError):
    """A path the instructor named does not exist, or names no submission at all."""


class AdjustmentsError(KitError, ValueError):
    """adjustments.csv or graded_by_hand.csv has a line the kit cannot apply."""


class ClusterError(KitError, ConnectionError):
    """The Dask scheduler cannot be reached, or went away during the run."""


class ServeError(KitError, OSError):
    """The review app cannot listen where it was asked to (a port in use, an address not of this machine)."""


class StudentError(Exception):
    """The student's code raised, or its kernel died, while a test asked it for a value.

    `frames`: where in the student's cells it raised, as the kernel saw it (bridge.kernel_side)."""

    def __init__(self, message, frames=()):
        super().__init__(message)
        self.frames = list(frames)

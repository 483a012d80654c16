"""The grading contract: what one grading concludes, as records every part of the kit shares.

A grading child writes a `GradeResult` as JSON (`to_dict`); the parent reads it back
(`from_dict`) only after the child signalled it graded the submission (grading/child.py). Reports, the
gradebook and the LMS exports are functions of these records; nothing here renders.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from autograder.errors import ContractError

MODEL_WEIGHTS = "model_weights"
"""The measurement saying how the grader got the model it measured, where the assignment takes a
model's weights (config.weights): "loaded" (those handed in), or "retrained" and why (grading/trained_elsewhere)."""


class Status(StrEnum):
    """How a submission's grading ended; the values are what gradebook.csv holds."""

    GRADED = "graded"
    """The notebook ran and every test was run; the score is the sum of the tests."""
    NOT_GRADED = "not graded"
    """The file could not be graded at all (not a notebook, another assignment, ...): 0 points."""
    TIMED_OUT = "timed out"
    """Stopped at the wall-clock limit for the whole submission: 0 points."""
    OUT_OF_MEMORY = "out of memory"
    """Stopped at the memory limit: 0 points."""
    CRASHED = "crashed"
    """The grader did not exit normally (killed, say), so nothing it wrote is believed: 0 points."""
    INTERRUPTED = "interrupted"
    """The instructor stopped the run (Ctrl-C); never written to the gradebook."""


@dataclass(frozen=True)
class ChildRequest:
    """What a grading child is started with (its request file, read once and deleted)."""

    config: dict
    """The assignment's settings: config.Config's values."""
    sandbox: dict
    """grading.sandbox.Sandbox's values."""
    kit_error: str
    """Where to write the kit's own error, if the kit cannot grade."""
    started: float
    """When the parent started the child (time.time())."""
    signals: int
    """The pipe's file descriptor for READY and GRADED."""

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text) -> ChildRequest:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class ChildJob:
    """One submission handed to a grading child: a JSON line on its stdin."""

    submission: str
    """The submitted file's path."""
    result: str
    """Where to write its GradeResult (a new file)."""
    handed: float
    """When it was handed over (time.time())."""
    questions: list[str] | None = None
    """Only these questions, for a question-only regrade."""

    def to_line(self) -> bytes:
        return json.dumps(dataclasses.asdict(self)).encode() + b"\n"

    @classmethod
    def from_line(cls, line) -> ChildJob:
        return cls(**json.loads(line))


class ChildExit(IntEnum):
    """Exit codes of the grading child (`python -m autograder.grading.child`)."""

    DONE = 0
    """No more submissions came (stdin ended); each one handed over has its result file."""
    KIT_ERROR = 3
    """The kit itself could not grade (a missing build, say); the reason is in the kit error file."""


@dataclass
class TestOutcome:
    """One otter test case's verdict."""

    __test__ = False  # not a pytest test class, whatever its name

    name: str
    """What the test checks (its docstring's first line), as students read it."""
    passed: bool
    hidden: bool
    """Hidden tests run only at grading time; their details are shown only if the config says so."""
    points: float
    """What the test is worth, not what it scored."""
    message: str
    """Why it failed (the assertion's message), or "" when it passed."""


@dataclass
class QuestionResult:
    name: str
    score: float
    possible: float
    tests: list[TestOutcome]


@dataclass
class CellError:
    """An error a notebook cell raised while the grader ran it."""

    cell: int
    """The cell's index in the notebook the grader ran."""
    name: str
    """The exception's class name (or KernelDied, TimeoutError)."""
    message: str
    where: str = ""
    """The cell as the student sees it: "the cell starting 'def relu(z):'"."""


@dataclass
class Settlement:
    """How a grade is made from the tests' score: the instructor's adjustments, then lateness."""

    tested: float
    adjustments: list = field(default_factory=list)
    """(question, points, reason) triples; question "" for the submission as a whole."""
    days_late: int = 0
    late: str = ""
    """How the lateness was found."""
    late_penalty: float = 0.0
    policy: str = ""
    """The late policy, in words."""
    by_hand: list = field(default_factory=list)
    """(question, points, comment) of the manual questions a person graded."""

    @property
    def adjustment(self) -> float:
        """The adjustments' sum."""
        return round(sum(points for _, points, _ in self.adjustments), 4) + 0.0

    @property
    def earned(self) -> float:
        """The points before lateness: the tests', the manual questions' and the adjustments."""
        return max(0.0, self.tested + sum(points for _, points, _ in self.by_hand) + self.adjustment)

    @property
    def total(self) -> float:
        return round(self.earned - self.late_penalty, 4)


@dataclass
class GradeResult:
    submission: str
    """The submitted file's path, as the grader was given it."""
    questions: list[QuestionResult]
    error: str | None = None
    """Why the submission was not graded or was stopped; None when it was graded."""
    status: Status = Status.GRADED
    cell_errors: list[CellError] = field(default_factory=list)
    measurements: dict = field(default_factory=dict)
    """What the grader measured: the assignment's measured values (config.measured: the primer's
    test_accuracy), peak_memory_mb, cells_run (its own setup cell included);
    and, when they happened, `full` (a folder in memory reached limits.tmp_mb) and `left_behind` (what
    could not be removed), each a sentence."""
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(q.score for q in self.questions)

    @property
    def possible(self) -> float:
        return sum(q.possible for q in self.questions)

    @classmethod
    def without_results(
        cls, submission: str, questions: list[QuestionResult], reason: str, status: Status = Status.NOT_GRADED
    ) -> GradeResult:
        """No points anywhere, and why: every test of `questions` failed with `reason`."""
        zeroed = [
            QuestionResult(
                q.name, 0, q.possible, [dataclasses.replace(t, passed=False, message=reason) for t in q.tests]
            )
            for q in questions
        ]
        return cls(submission, zeroed, error=reason, status=status)

    def regraded(self, new: GradeResult) -> GradeResult:
        """This result with `new`'s questions (a question-only regrade) in place of its own."""
        fresh = {q.name: q for q in new.questions}
        return dataclasses.replace(
            self,
            questions=[fresh.get(q.name, q) for q in self.questions],
            measurements={**self.measurements, **new.measurements},
            seconds=new.seconds,
        )

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> GradeResult:
        """The record back from `to_dict`'s JSON; ContractError if it is not one."""
        try:
            questions = [
                QuestionResult(**{**q, "tests": [TestOutcome(**t) for t in q["tests"]]}) for q in data["questions"]
            ]
            cell_errors = [CellError(**e) for e in data.get("cell_errors", [])]
            return cls(**{**data, "questions": questions, "cell_errors": cell_errors, "status": Status(data["status"])})
        except (TypeError, KeyError, ValueError) as e:
            raise ContractError(f"not a grade record: {type(e).__name__}: {e}") from None

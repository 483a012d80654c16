"""The kit grades every fixture master as `otter assign` + `otter run` grade it, question by question.

Each case is one submission of one master (tests/otter_compat/masters/). What the kit does not
pass yet is marked xfail (strict) with the kit's one-line error, so the suite stays green and
shows what remains; `test_the_kits_failures_are_the_recorded_ones` keeps those lines true.
Rebuild the masters with `python tests/otter_compat/masters/generate.py`.
"""

from pathlib import Path

import pytest

from tests.otter_compat.harness import compare, kit_failure, wrong_answers

pytestmark = pytest.mark.slow  # otter assign and otter run, then the kit, on every master: minutes

MASTERS = Path(__file__).parent / "masters"
# Why the kit does not grade a master as otter does yet: the first failure of each, as the harness says it.
KIT_FAILS = {}
AGREE_ANYWAY = set()


def _expected_failure(master, submission):
    return None if (master, submission) in AGREE_ANYWAY else KIT_FAILS.get(master)


def submissions(master):
    """The submissions the harness makes for a master: the solution, the blank notebook, each wrong answer."""
    return ["solution", "blank", *(f"wrong_{q}" for q in wrong_answers(master))]


def cases():
    for master in sorted(MASTERS.glob("*.ipynb")):
        for submission in submissions(master):
            reason = _expected_failure(master.stem, submission)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(master.stem, submission, marks=marks, id=f"{master.stem}-{submission}")


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """compare() of each master, run once, when a case first needs it."""
    done = {}

    def get(name):
        if name not in done:
            done[name] = compare(MASTERS / f"{name}.ipynb", tmp_path_factory.mktemp(name) / "work")
        return done[name]

    return get


@pytest.mark.parametrize(("master", "submission"), list(cases()))
def test_the_kit_scores_each_question_as_otter(compared, master, submission):
    comparison = compared(master)
    assert comparison.otter_error is None and comparison.otter[submission].error is None, "otter failed"
    assert kit_failure(comparison, submission) is None, kit_failure(comparison, submission)


def test_the_kits_failures_are_the_recorded_ones(compared):
    """Every submission otter graded; an xfail's reason is the kit's failure on each of its master's cases."""
    for master in sorted(MASTERS.glob("*.ipynb")):
        comparison = compared(master.stem)
        assert comparison.otter_error is None, (master.stem, comparison.otter_error)
        assert sorted(comparison.otter) == sorted(submissions(master))
        assert all(g.error is None for g in comparison.otter.values()), master.stem
        for submission in comparison.otter:
            assert kit_failure(comparison, submission) == _expected_failure(master.stem, submission), submission

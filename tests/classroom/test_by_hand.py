"""graded_by_hand.csv: a person's grades of the manual questions, checked as adjustments.csv is."""

from pathlib import Path

import pytest

from autograder.classroom.by_hand import ByHand, give, read_by_hand
from autograder.errors import AdjustmentsError
from tests.otter_compat.harness import kit_course

MASTER = Path(__file__).parents[1] / "otter_compat" / "masters" / "manual_seed.ipynb"


@pytest.fixture(scope="module")
def manual(tmp_path_factory):
    """manual_seed's settings (not built: only its points and manual questions are read)."""
    return kit_course(MASTER, tmp_path_factory.mktemp("course"))


def test_the_last_grade_of_an_answer_counts(manual, tmp_path):
    path = tmp_path / "graded_by_hand.csv"
    give(path, ByHand("ann", "explain", 1, "first reading"), manual)
    give(path, ByHand("ann", "explain", 1.5, "on second thought"), manual)
    assert read_by_hand(path, manual) == {("ann", "explain"): ByHand("ann", "explain", 1.5, "on second thought")}


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("ann,total,1,", r"'total' is not a manual question \(explain\)"),
        ("ann,explain,3,", "explain is worth 0 to 2 points, not 3"),
        ("ann,explain,-1,", "explain is worth 0 to 2 points, not -1"),
        ("ann,explain,lots,", "points 'lots' is not a number"),
        (",explain,1,", "no student"),
    ],
)
def test_a_line_the_kit_cannot_apply_is_named(manual, tmp_path, line, why):
    path = tmp_path / "graded_by_hand.csv"
    path.write_text(f"student,question,points,comment\n{line}\n")
    with pytest.raises(AdjustmentsError, match=f"line 2: {why}"):
        read_by_hand(path, manual)
    student, question, points, _ = line.split(",")
    with pytest.raises(AdjustmentsError, match=why):  # the review app's grade is checked as a line is
        give(tmp_path / "new.csv", ByHand(student, question, points, ""), manual)
    assert not (tmp_path / "new.csv").exists()  # and nothing of it is written

"""adjustments.csv: the instructor's lines, applied every run; a line the kit cannot apply is a clear error."""

import pytest

from autograder.classroom.adjustments import Adjustment, read_adjustments
from autograder.errors import AdjustmentsError

QUESTIONS = ["activations", "gradient_descent"]


def test_a_missing_file_is_created_with_its_header(tmp_path):
    path = tmp_path / "adjustments.csv"
    assert read_adjustments(path, QUESTIONS) == []
    assert path.read_text() == "student,question,points,reason\n"


def test_lines_are_read_with_their_reasons(tmp_path):
    path = tmp_path / "adjustments.csv"
    text = 'student,question,points,reason\nann,activations,0.5,"regrade request, accepted"\nbob,,-2,\n'
    path.write_text(text, encoding="utf-8-sig")  # as a spreadsheet saves it
    assert read_adjustments(path, QUESTIONS) == [
        Adjustment("ann", "activations", 0.5, "regrade request, accepted"),
        Adjustment("bob", "", -2.0, ""),
    ]


@pytest.mark.parametrize(
    "line, message",
    [
        ("ann,activations,half,", "line 2: points 'half' is not a number"),
        ("ann,activation,1,", "line 2: no question 'activation'"),
        (",activations,1,", "line 2: no student"),
    ],
)
def test_an_unusable_line_is_an_error_naming_it(tmp_path, line, message):
    path = tmp_path / "adjustments.csv"
    path.write_text(f"student,question,points,reason\n{line}\n")
    with pytest.raises(AdjustmentsError, match=message):
        read_adjustments(path, QUESTIONS)

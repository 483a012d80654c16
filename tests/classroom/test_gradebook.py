"""gradebook.csv read back for resuming: a row it cannot read is graded again, never a crash."""

from autograder.classroom.gradebook import Gradebook, columns

POINTS = {"activations": 4, "gradient_descent": 3}
MEASURED = ["test_accuracy"]


def test_unreadable_rows_are_left_out_to_be_graded_again(tmp_path):
    path = tmp_path / "gradebook.csv"
    header = ",".join(columns(POINTS, MEASURED))
    good = "ann,ann,,ann.ipynb,ab12,0,,graded,4,3,0,0,7,7.0,,12.0,"
    old = "bob,bob,,bob.ipynb,cd34,0,,tampered,4,3,0,0,7,7.0,,12.0,the kit was changed"  # an earlier version's status
    earlier = "dan,dan,,dan.ipynb,graded,4,3,7,7.0,,12.0,"  # an earlier version's columns: no hash
    path.write_text("\n".join([header, good, old, earlier, "carol,carol,,carol.ipynb,ef56,0,,graded,x,y,z"]) + "\n")
    assert list(Gradebook(path, POINTS, MEASURED).read()) == ["ann"]


def test_student_text_reaches_a_spreadsheet_as_text_and_reads_back_unchanged(tmp_path, config):
    """CSV injection: a file named "=HYPERLINK(...).ipynb" must not become a live formula."""
    import csv

    from autograder.classroom.canvas_csv import write_canvas_csv
    from autograder.classroom.gradebook import Row
    from autograder.contract import Status

    formula = '=HYPERLINK("http://evil.example","x")'
    row = Row(
        formula,
        "+cmd",
        "@1",
        f"{formula}.ipynb",
        "ab12",
        1,
        "-late",
        Status.GRADED,
        {"activations": 4},
        0,
        0,
        4,
        7,
        {},
        1.0,
        "-1+1",
    )
    book = Gradebook(tmp_path / "gradebook.csv", POINTS)
    book.rewrite([row])
    with open(book.path, newline="") as f:
        cells = next(csv.DictReader(f))
    assert all(cells[k].startswith("'") for k in ("student", "name", "lms_id", "file", "late", "error")), cells
    assert book.read() == {formula: row}  # resuming sees the same submission
    write_canvas_csv([row], tmp_path / "canvas.csv", config)
    with open(tmp_path / "canvas.csv", newline="") as f:
        assert list(csv.reader(f))[2][:2] == ["'+cmd", "'@1"]

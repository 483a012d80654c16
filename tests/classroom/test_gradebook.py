"""gradebook.csv read back for resuming: a row it cannot read is graded again, never a crash."""

from autograder.classroom.gradebook import Gradebook, columns

POINTS = {"activations": 4, "gradient_descent": 3}


def test_unreadable_rows_are_left_out_to_be_graded_again(tmp_path):
    path = tmp_path / "gradebook.csv"
    header = ",".join(columns(POINTS))
    good = "ann,ann,,ann.ipynb,graded,4,3,7,7.0,,12.0,"
    old = "bob,bob,,bob.ipynb,tampered,4,3,7,7.0,,12.0,the kit was changed"  # a status of an earlier version
    path.write_text("\n".join([header, good, old, "carol,carol,,carol.ipynb,graded,x,y,z"]) + "\n")
    assert list(Gradebook(path, POINTS).read()) == ["ann"]

"""A student's name or file name with control or bidirectional characters: shown escaped everywhere, kept whole."""

import csv
import zipfile
from pathlib import Path

from autograder.classroom.canvas_csv import write_canvas_csv
from autograder.classroom.collect import Ignored, collect
from autograder.classroom.gradebook import Gradebook, Row
from autograder.classroom.summary import write_summary
from autograder.contract import GradeResult, QuestionResult, Status
from autograder.errors import SubmissionError
from autograder.names import UNSHOWN, shown, unshown
from autograder.reports.feedback import feedback_html
from autograder.similarity.answer_code import Answers, Unreadable
from autograder.similarity.compare import Pair, Report
from autograder.similarity.page import write_page

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "ann\u202egnp.exe" shows as "annexe.png"
NAME = f"ann{RLO}gnp.exe \u200f\u2066x\u2069 \x1b[2J\x85"


def test_each_such_character_becomes_its_escape_and_comes_back():
    assert shown(NAME) == "ann\\u202egnp.exe \\u200f\\u2066x\\u2069 \\u001b[2J\\u0085"
    assert unshown(shown(NAME)) == NAME
    # what names and code need stays: tab, newline, the joiners of Persian and emoji, any script
    kept = "Zo\u00eb\tn\u00b0\n\u0645\u06cc\u200c\u0631\u0648\u06cc \U0001f469\u200d\U0001f52c \u5c71\u7530"
    assert shown(kept) == kept and shown(3) == 3


def test_canvas_names_make_safe_folder_names_and_keep_the_original(tmp_path):
    canvas = tmp_path / "submissions.zip"
    with zipfile.ZipFile(canvas, "w") as z:
        z.writestr(f"ann{RLO}gnp_4711_998877_deep_learning_primer.ipynb", "{}")
        z.writestr("bob\x85_4712_998878_deep_learning_primer.ipynb", "{}")
    found, _ = collect([canvas], tmp_path / "inbox")
    assert [(s.student, s.name) for s in found] == [("ann_gnp_4711", f"ann{RLO}gnp"), ("bob__4712", "bob\x85")]


def test_a_reason_naming_a_file_shows_it_escaped():
    assert str(SubmissionError(f"{NAME}.ipynb is empty")) == f"{shown(NAME)}.ipynb is empty"


def _row(name):
    return Row(
        "ann_gnp_4711", name, "4711", f"/in/{name}.ipynb", "ab12", 0, "", Status.NOT_GRADED, {"activations": 0.0},
        0.0, 0.0, 0.0, 4.0, {}, 1.0, f"{name}.ipynb is not JSON",
    )  # fmt: skip


def test_no_file_or_page_of_a_class_holds_one_and_the_gradebook_reads_back_the_original(tmp_path, config):
    row = _row(NAME)
    book = Gradebook(tmp_path / "gradebook.csv", config.points)
    book.rewrite([row])
    assert book.read() == {row.student: row}  # resuming finds the very file it graded
    write_canvas_csv([row], tmp_path / "canvas.csv", config)
    write_summary([row], {}, tmp_path, config, [Ignored(Path(f"/in/{NAME}.pdf"), "not a notebook")])
    result = GradeResult(row.file, [QuestionResult("activations", 0, 4, [])], error=row.error)
    (tmp_path / "feedback.html").write_text(feedback_html(result, config, row.name))
    answers = [Answers(row.student, row.name, {}), Answers("bob", f"bob{RLO}", {})]
    report = Report([Pair(*answers, 1.0, {}, True)], 1, 1, [Unreadable("carol", f"{NAME}.ipynb", row.error)])
    write_page(report, [], set(), {}, {"ann_gnp_4711": "", "bob": ""}, config, tmp_path / "similarity.html")
    for name in ("gradebook.csv", "canvas.csv", "summary.html", "feedback.html", "similarity.html"):
        text = (tmp_path / name).read_text()
        assert not UNSHOWN.search(text) and "ann\\u202egnp.exe" in text, name
    with open(book.path, newline="") as f:
        assert next(csv.DictReader(f))["name"] == shown(NAME)

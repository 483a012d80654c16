"""Which submissions share their answers, on a class made of real notebooks (similar_class.py).

The class is graded once, with the CLI (no training: the models are built, never fitted); its
pairs must rank as the class was made: the renamed, re-commented, reordered copy at the top,
the copy of one question next (high for that question, lower overall), the independent
answers low, the blank notebooks never flagged, the file that is no notebook listed. Run with
`pytest -s` to see the ranked pairs printed.
"""

import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder.classroom.gradebook import Row
from autograder.contract import Status
from autograder.similarity import fingerprints
from autograder.similarity.compare import write_similarity
from tests.helpers import headless_chromium, make_submission, run_cli
from tests.similarity.similar_class import BOB, CAROL, DAVE, make_class


@pytest.fixture(scope="module")
def graded(tmp_path_factory, built, config):
    """The class graded into its out folder, 2 at a time: (downloads folder, out folder, the run).
    The shipped config's time limits: on a busy machine a lenient config's 90 s can time a grading out."""
    base = tmp_path_factory.mktemp("classwork")  # a name the checks below do not look for
    folder = make_class(base / "downloads", built)
    out = base / "classout"
    run = run_cli("--config", config.source, "grade", folder, "--out", out, "-j", "2", timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return folder, out, run


def pairs(out):
    """{(student, student): the CSV row}, and the pairs in their ranked order."""
    with open(out / "similarity.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {(r["student_a"], r["student_b"]): r for r in rows}, [(r["student_a"], r["student_b"]) for r in rows]


def test_pairs_rank_as_the_class_was_made(graded):
    _, out, run = graded
    by_pair, ranked = pairs(out)
    print("\n" + (out / "similarity.csv").read_text())
    assert ranked[:2] == [("alice", "carol"), ("alice", "dave")]
    copy, one_question = by_pair["alice", "carol"], by_pair["alice", "dave"]
    assert float(copy["overall"]) >= 0.85 and copy["flagged"] == "yes", copy
    assert min(float(copy["activations"]), float(copy["gradient_descent"])) >= 0.8, copy
    assert float(one_question["gradient_descent"]) >= 0.85 and one_question["flagged"] == "yes", one_question
    assert float(one_question["overall"]) < 0.5 and float(one_question["activations"]) < 0.2, one_question
    independent = [by_pair.get(p) for p in [("alice", "bob"), ("bob", "carol"), ("bob", "dave")]]
    assert all(float(p["overall"]) < 0.2 and not p["flagged"] for p in independent if p), independent
    assert ("erin", "frank") not in by_pair or not by_pair["erin", "frank"]["flagged"]  # the blank notebook twice
    assert not any("erin" in p or "frank" in p for p in by_pair)  # a blank notebook shares no answer code
    assert "similarity: 2 of 15 pairs flagged" in run.stdout, run.stdout[-2000:]


def test_the_same_model_is_context_never_the_score(graded):
    _, out, _ = graded
    by_pair, _ = pairs(out)
    alice_bob = by_pair["alice", "bob"]  # the same CNN, built independently
    assert float(alice_bob["improved_model (context)"]) > 0.8 and float(alice_bob["overall"]) < 0.2
    assert not alice_bob["flagged"]
    page = (out / "similarity.html").read_text()
    assert "Conv2D(16, 3, relu) &gt; MaxPooling2D" in page  # the models' outlines, as context


def test_the_unreadable_file_is_listed_and_the_zip_compared(graded):
    _, out, run = graded
    assert "not compared: broken: broken.ipynb is not a Jupyter notebook (it is not JSON)" in run.stdout
    page = (out / "similarity.html").read_text()
    assert 'id="unreadable"' in page and "broken.ipynb is not a Jupyter notebook" in page
    assert ("alice", "dave") in pairs(out)[0]  # dave handed in an otter export zip


def test_links_both_ways_and_nothing_reaches_students(graded):
    _, out, _ = graded
    assert '<a href="similarity.html">' in (out / "summary.html").read_text()
    page = (out / "similarity.html").read_text()
    assert '<a href="students/alice/feedback.html">' in page and '<a href="students/carol/feedback.html">' in page
    for folder in (out / "students").iterdir():
        for name in ("feedback.html", "results.json", "grade.json"):
            text = (folder / name).read_text().lower()
            assert "similar" not in text and "flagged" not in text, (folder.name, name)
    with open(out / "gradebook.csv", newline="") as f:
        book = {row["student"]: row for row in csv.DictReader(f)}
    assert book["alice"]["status"] == book["carol"]["status"] == "graded", (book["alice"], book["carol"])
    assert book["carol"]["total"] == book["alice"]["total"] == "8.0" and book["carol"]["adjustments"] == "0.0"


def test_again_without_grading_gives_the_same_bytes_even_without_the_files(graded, tmp_path):
    folder, out, _ = graded
    before = {name: (out / name).read_bytes() for name in ("similarity.csv", "similarity.html", "gradebook.csv")}
    run = run_cli("similarity", out)
    assert run.returncode == 0, run.stderr
    assert {name: (out / name).read_bytes() for name in before} == before
    assert json.loads((out / "students" / "carol" / "answers.json").read_text())["answers"]["gradient_descent"]

    moved = shutil.move(folder, tmp_path / "elsewhere")  # the downloads deleted: the kept answers serve
    try:
        run = run_cli("similarity", out)
        assert run.returncode == 0, run.stderr
        assert (out / "similarity.csv").read_bytes() == before["similarity.csv"]
        assert "not compared: broken: " in run.stdout and "no copy of its answers was kept" in run.stdout
    finally:
        shutil.move(moved, folder)


def test_similarity_without_a_graded_class_is_one_line(tmp_path):
    run = run_cli("similarity", tmp_path)
    assert run.returncode == 2 and run.stderr.startswith("error: ") and "no gradebook.csv" in run.stderr


def test_the_page_in_headless_chromium(graded, tmp_path):
    _, out, _ = graded
    rendered = headless_chromium(out / "similarity.html", tmp_path, (1300, 2200))
    if rendered is None:
        pytest.skip("no Chromium (make browser installs it)")
    shot, dom = rendered
    print(f"\nscreenshot: {shot}")
    assert shot.stat().st_size > 20_000
    assert dom.count("<mark>") > 10 and 'id="pair-1"' in dom and "alice and carol" in dom


def _row(student, path):
    return Row(student, student, "", str(path), "", 0, "", Status.NOT_GRADED, {}, 0.0, 0.0, 0.0, 10.0, {}, 0.0, "")


def test_student_text_is_escaped_and_csv_cells_neutralised(tmp_path, built, config):
    """Without grading: a copied answer that would be HTML, and a name a spreadsheet would run."""
    hostile = BOB["activations"].replace("return arr", "return arr  # </pre><script>alert(1)</script>")
    names = ["=HYPERLINK(1)", "<b>eve</b>"]
    rows = [
        _row(name, make_submission(tmp_path / f"{i}.ipynb", built, activations=hostile)) for i, name in enumerate(names)
    ]
    out = tmp_path / "out"
    write_similarity(rows, out, config)
    page = (out / "similarity.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>eve</b>" not in page and "&lt;b&gt;eve&lt;/b&gt;" in page
    with open(out / "similarity.csv", newline="") as f:
        (pair,) = list(csv.DictReader(f))
    assert "'=HYPERLINK(1)" in (pair["student_a"], pair["student_b"]) and pair["flagged"] == "yes"
    first = {p.name: p.read_bytes() for p in out.glob("similarity.*")}
    write_similarity(rows, out, config)
    assert {p.name: p.read_bytes() for p in out.glob("similarity.*")} == first  # the same bytes twice


def test_an_answer_cell_that_lost_its_id_still_counts(tmp_path, built, config):
    """Old Jupyter versions drop cell ids: the answer is then the student's cell before the check."""
    path = make_submission(tmp_path / "old.ipynb", built, activations=BOB["activations"])
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.pop("id", None)
    nb.nbformat_minor = 4
    nbformat.write(nb, path)
    twin = make_submission(tmp_path / "twin.ipynb", built, activations=BOB["activations"])
    write_similarity([_row("old", path), _row("twin", twin)], tmp_path / "out", config)
    with open(tmp_path / "out" / "similarity.csv", newline="") as f:
        (pair,) = list(csv.DictReader(f))
    assert float(pair["activations"]) == 1.0, pair


def test_a_kept_copy_of_another_file_is_not_used(tmp_path, built, config):
    path = make_submission(tmp_path / "a.ipynb", built, activations=BOB["activations"])
    (tmp_path / "out" / "students" / "a").mkdir(parents=True)
    stale = {"sha256": "other", "answers": {"activations": "print('not this')"}}
    (tmp_path / "out" / "students" / "a" / "answers.json").write_text(json.dumps(stale))
    row = Row(**{**_row("a", path).__dict__, "sha256": "graded-file-hash"})
    write_similarity([row, _row("b", path)], tmp_path / "out", config)
    kept = json.loads((tmp_path / "out" / "students" / "a" / "answers.json").read_text())
    assert "def relu" in kept["answers"]["activations"] and Path(path).is_file()


def test_a_pool_of_processes_finds_what_one_process_finds(tmp_path, built, config, monkeypatch):
    """A large class is compared in a process pool; here a small one, forced into it."""
    rows = [
        _row(name, make_submission(tmp_path / f"{name}.ipynb", built, **answers))
        for name, answers in [("alice", {}), ("bob", BOB), ("carol", CAROL), ("dave", DAVE)]
    ]
    write_similarity(rows, tmp_path / "one", config)
    monkeypatch.setattr(fingerprints, "POOL_FROM", 0)
    write_similarity(rows, tmp_path / "pool", config)
    for name in ("similarity.csv", "similarity.html"):
        assert (tmp_path / "pool" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()

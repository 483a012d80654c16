"""Who is who: identities from Canvas file names and Gradescope's export metadata."""

import zipfile

import pytest

from autograder.classroom.collect import collect, is_one_submission
from autograder.errors import InputError, SubmissionError

GRADESCOPE_METADATA = """\
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1815'
    :email: ada@example.edu
  :created_at: 2026-11-20 10:00:00.000000000 -08:00
submission_102:
  :submitters:
  - :name: Alan Turing
    :sid: '1912'
    :email: alan@example.edu
"""


def test_canvas_download_zip(tmp_path):
    canvas = tmp_path / "submissions.zip"
    with zipfile.ZipFile(canvas, "w") as z:
        z.writestr("lovelaceada_4711_998877_deep_learning_primer.ipynb", "{}")
        z.writestr("turingalan_LATE_4712_998878_deep_learning_primer-1.ipynb", "{}")
        z.writestr("hopperg_late_4713_998879_deep_learning_primer.ipynb", "{}")
        z.writestr("hopperg_4713_998880_notes.py", "print()")
    assert not is_one_submission(canvas)
    found, ignored = collect([canvas], tmp_path / "inbox")
    assert [(s.student, s.name, s.marked_late) for s in found] == [
        ("hopperg_4713", "hopperg", True),
        ("lovelaceada_4711", "lovelaceada", False),
        ("turingalan_4712", "turingalan", True),
    ]
    assert [(i.path.name, i.why) for i in ignored] == [
        ("hopperg_4713_998880_notes.py", "not a notebook (.ipynb) or an otter export (.zip)")
    ]


def test_gradescope_export_zip(tmp_path):
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as z:
        z.writestr("assignment_5_export/submission_metadata.yml", GRADESCOPE_METADATA)
        z.writestr("assignment_5_export/submission_101/deep_learning_primer.ipynb", "{}")
        z.writestr("assignment_5_export/submission_102/my work.ipynb", "{}")
        z.writestr("assignment_5_export/submission_102/scratch.ipynb", "{}")
    found, ignored = collect([export], tmp_path / "inbox")
    assert [(s.student, s.name, s.path.name) for s in found] == [
        ("1815", "Ada Lovelace", "deep_learning_primer.ipynb"),
        ("1912", "Alan Turing", "my work.ipynb"),
    ]
    assert found[0].submitted_at.isoformat() == "2026-11-20T10:00:00-08:00"
    assert found[1].submitted_at is None
    assert [(i.path.name, i.why) for i in ignored] == [
        ("scratch.ipynb", "another file of submission_102, whose my work.ipynb is graded")
    ]


def test_folder_otter_exports_and_duplicates(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    with zipfile.ZipFile(folder / "deep_learning_primer_2026_11_24T10_00_00_123456.zip", "w") as z:
        z.writestr("deep_learning_primer.ipynb", "{}")
    (folder / "deep_learning_primer.ipynb").write_text("{}")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "x-checkpoint.ipynb").write_text("{}")
    single = folder / "deep_learning_primer_2026_11_24T10_00_00_123456.zip"
    assert is_one_submission(single)
    (folder / "alice.py").write_text("print()")
    (folder / "bob.pdf").write_bytes(b"%PDF")
    found, ignored = collect([folder], tmp_path / "inbox")
    assert [s.student for s in found] == ["deep_learning_primer", "deep_learning_primer-2"]
    assert [(i.path.name, i.why) for i in ignored] == [
        ("x-checkpoint.ipynb", "a Jupyter checkpoint copy"),
        ("alice.py", "not a notebook (.ipynb) or an otter export (.zip)"),
        ("bob.pdf", "not a notebook (.ipynb) or an otter export (.zip)"),
    ]


def test_a_missing_path_is_an_error_before_anything_is_unpacked(tmp_path):
    with pytest.raises(InputError, match=r"no such file or folder: .*typo"):
        collect([tmp_path / "typo"], tmp_path / "inbox")
    assert not (tmp_path / "inbox").exists()


def test_identities_never_name_a_path_outside_the_out_folder(tmp_path):
    export = tmp_path / "export.zip"
    metadata = GRADESCOPE_METADATA.replace("'1815'", "'../../x'").replace("'1912'", "'/etc/passwd'")
    with zipfile.ZipFile(export, "w") as z:
        z.writestr("e/submission_metadata.yml", metadata)
        z.writestr("e/submission_101/deep_learning_primer.ipynb", "{}")
        z.writestr("e/submission_102/deep_learning_primer.ipynb", "{}")
    found, _ = collect([export], tmp_path / "inbox")
    assert [(s.student, s.lms_id) for s in found] == [("x", "../../x"), ("etc_passwd", "/etc/passwd")]


def _bomb(path, megabytes):
    """A Canvas download: lovelaceada's notebook, and turingalan's entry of `megabytes` of zeros (packed small)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("lovelaceada_4711_998877_deep_learning_primer.ipynb", "{}")
        with z.open("turingalan_4712_998878_deep_learning_primer.ipynb", "w", force_zip64=True) as member:
            zeros = bytes(2**24)
            for _ in range(megabytes // 16):
                member.write(zeros)
    return path


def test_an_oversized_entry_is_ignored_and_the_rest_graded(tmp_path):
    """One entry over the bound of a file (200 MB) leaves the download's other submissions to grade."""
    bomb = _bomb(tmp_path / "submissions.zip", 256)
    for _ in range(2):  # and the same when it is already unpacked
        found, ignored = collect([bomb], tmp_path / "inbox")
        assert [s.student for s in found] == ["lovelaceada_4711"]
        assert [(i.path, i.why) for i in ignored] == [
            (
                bomb / "turingalan_4712_998878_deep_learning_primer.ipynb",
                "256 MB unpacked, over the 200 MB a submission may be",
            )
        ]
    assert [p.name for p in (tmp_path / "inbox").rglob("*")] == [
        "submissions",
        "lovelaceada_4711_998877_deep_learning_primer.ipynb",
    ]


@pytest.mark.parametrize("bound, value", [("MAX_UNPACKED_BYTES", 32 * 2**20), ("MAX_ENTRIES", 1)])
def test_a_zip_bomb_is_refused_not_unpacked(tmp_path, monkeypatch, bound, value):
    """Over the bounds of the whole (4 GB, 20,000 files; lowered here), nothing is unpacked."""
    monkeypatch.setattr(f"autograder.classroom.collect.{bound}", value)
    with pytest.raises(SubmissionError, match="would unpack to 48 MB in 2 files; the kit unpacks at most"):
        collect([_bomb(tmp_path / "submissions.zip", 48)], tmp_path / "inbox")
    assert not (tmp_path / "inbox").exists()

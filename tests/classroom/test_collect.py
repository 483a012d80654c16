"""Who is who: identities from Canvas file names and Gradescope's export metadata."""

import zipfile

import pytest

from autograder.classroom.collect import collect, is_one_submission
from autograder.errors import SubmissionError

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
    assert not is_one_submission(canvas)
    found = collect([canvas], tmp_path / "inbox")
    assert [(s.student, s.name) for s in found] == [
        ("lovelaceada_4711", "lovelaceada"),
        ("turingalan_4712", "turingalan"),
    ]


def test_gradescope_export_zip(tmp_path):
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as z:
        z.writestr("assignment_5_export/submission_metadata.yml", GRADESCOPE_METADATA)
        z.writestr("assignment_5_export/submission_101/deep_learning_primer.ipynb", "{}")
        z.writestr("assignment_5_export/submission_102/my work.ipynb", "{}")
    found = collect([export], tmp_path / "inbox")
    assert [(s.student, s.name, s.path.name) for s in found] == [
        ("1815", "Ada Lovelace", "deep_learning_primer.ipynb"),
        ("1912", "Alan Turing", "my work.ipynb"),
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
    found = collect([folder], tmp_path / "inbox")
    assert [s.student for s in found] == ["deep_learning_primer", "deep_learning_primer-2"]


def test_identities_never_name_a_path_outside_the_out_folder(tmp_path):
    export = tmp_path / "export.zip"
    metadata = GRADESCOPE_METADATA.replace("'1815'", "'../../x'").replace("'1912'", "'/etc/passwd'")
    with zipfile.ZipFile(export, "w") as z:
        z.writestr("e/submission_metadata.yml", metadata)
        z.writestr("e/submission_101/deep_learning_primer.ipynb", "{}")
        z.writestr("e/submission_102/deep_learning_primer.ipynb", "{}")
    found = collect([export], tmp_path / "inbox")
    assert [(s.student, s.lms_id) for s in found] == [("x", "../../x"), ("etc_passwd", "/etc/passwd")]


def test_a_zip_bomb_is_refused_not_unpacked(tmp_path):
    bomb = tmp_path / "submissions.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("lovelaceada_4711_998877_deep_learning_primer.ipynb", "{}")
        with z.open("turingalan_4712_998878_deep_learning_primer.ipynb", "w", force_zip64=True) as member:
            zeros = bytes(2**24)
            for _ in range(16):  # 256 MB of zeros, a few hundred KB packed
                member.write(zeros)
    with pytest.raises(SubmissionError, match="would unpack to 256 MB"):
        collect([bomb], tmp_path / "inbox")
    assert not (tmp_path / "inbox").exists()

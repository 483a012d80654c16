"""solutions/ -> build -> assignments/ + dist/.

otter assign does the real work (stripping solutions, hiding tests, writing test
files); the kit then makes its output byte-stable and lays it out:

    assignments/<name>/<name>.ipynb      the student notebook (committed)
    dist/<name>/tests/<question>.py      public and hidden tests (ignored by git)
    dist/<name>/otter-autograder.zip     otter's own autograder, for `otter run`

The steps, in order: apply_config (points, seed, target into the master), otter assign,
normalize_student_notebook (stable ids, student-only cells), pack_public_tests, _write_dist.
"""

import contextlib
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

import nbformat
from otter.assign import main as otter_assign

from autograder import ROOT
from autograder.build.template import apply_config, named_tests, normalize_student_notebook, pack_public_tests


def solution_paths(root=ROOT):
    return sorted((root / "solutions").glob("*.ipynb"))


def master_path(name, root=ROOT):
    return root / "solutions" / f"{name}.ipynb"


def student_path(name, root=ROOT):
    return root / "assignments" / name / f"{name}.ipynb"


def dist_dir(name, root=ROOT):
    return root / "dist" / name


def build(config, root=ROOT):
    """Build every solution notebook into root's assignments/ and dist/; returns the student notebooks."""
    return [build_one(path, config, root, root) for path in solution_paths(root)]


def build_one(solution, config, students_root, dist_root):
    """Build one master: its student notebook under `students_root`, its tests under `dist_root`."""
    name = solution.stem
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        master = apply_config(nbformat.read(solution, as_version=4), config)
        nbformat.write(master, tmp / solution.name)
        with contextlib.redirect_stdout(io.StringIO()):
            otter_assign(str(tmp / solution.name), str(tmp / "out"), no_run_tests=True, no_pdfs=True)
        student = normalize_student_notebook(nbformat.read(tmp / "out" / "student" / solution.name, as_version=4))
        pack_public_tests(student)
        target = student_path(name, students_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student, target)
        _write_dist(tmp / "out" / "autograder", dist_dir(name, dist_root))
    return target


def _write_dist(otter_out, dist):
    """Keep otter's zip under a stable name and its test files where grading reads them."""
    otter_zip = next(otter_out.glob("*-autograder_*.zip"))
    shutil.rmtree(dist / "tests", ignore_errors=True)
    (dist / "tests").mkdir(parents=True)
    with zipfile.ZipFile(otter_zip) as z:
        for member in z.namelist():
            if member.startswith("tests/") and member.endswith(".py"):
                (dist / member).write_text(named_tests(z.read(member).decode()))
    shutil.copyfile(otter_zip, dist / "otter-autograder.zip")


def stale_notebooks(config, root=ROOT):
    """Student notebooks that differ from what the solutions build to now; writes nothing under root."""
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for solution in solution_paths(root):
            fresh = build_one(solution, config, Path(tmp), Path(tmp))
            committed = student_path(solution.stem, root)
            if not committed.exists() or committed.read_bytes() != fresh.read_bytes():
                stale.append(committed)
    return stale

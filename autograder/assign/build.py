"""solutions/ -> build -> assignments/ + dist/, for each assignment of the course.

otter assign does the real work (stripping solutions, hiding tests, writing test
files); the kit then makes its output byte-stable and lays it out (course.Assignment):

    assignments/<name>/<name>.ipynb      the student notebook (committed)
    dist/<name>/tests/<question>.py      public and hidden tests (ignored by git)
    dist/<name>/otter-autograder.zip     otter's own autograder, for `otter run`
    dist/<name>/requirements.txt         what its grading needs installed (the master's `requirements`)

The steps, in order: with_kit_cells (the kit's own cells, where the master lacks them),
apply_config (points and notebook values into the master), otter assign,
normalize_student_notebook (stable ids, student-only cells), pack_public_tests, _write_dist.
A master the kit cannot take is a BuildError naming the file and the fix.
"""

import contextlib
import importlib.metadata
import io
import json
import shutil
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import nbformat
from otter.assign import main as otter_assign
from packaging.requirements import InvalidRequirement, Requirement

from autograder import hooks
from autograder import master as masters
from autograder.assign.gradescope_zip import write_zip
from autograder.assign.kit_cells import with_kit_cells
from autograder.assign.messages import untrue_messages
from autograder.assign.template import apply_config, named_tests, normalize_student_notebook, pack_public_tests
from autograder.course import Assignment
from autograder.errors import BuildError, KitError
from autograder.testing import OTTER_SHIPPED


def build_one(config, students_root, dist_root):
    """Build one assignment's master: its student notebook under `students_root`, its tests under `dist_root`."""
    master = config.files.master
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        nb = masters.read(master)
        settings = _check_format(nb, master)
        _copy(master.parent, masters.declared_files(settings) + _beside(master, "requirements.txt"), tmp, master)
        nbformat.write(apply_config(with_kit_cells(nb, config.assignment, config.weights), config), tmp / master.name)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                otter_assign(str(tmp / master.name), str(tmp / "out"), no_run_tests=True, no_pdfs=True)
            student = nbformat.read(tmp / "out" / "student" / master.name, as_version=4)
            student = normalize_student_notebook(student, masters.questions(nb, master.name))
        except Exception as e:
            raise BuildError(f"{master}: otter assign could not build it: {type(e).__name__}: {e}") from None
        pack_public_tests(student, tmp / "out" / "student" / "tests")
        target = Assignment(config.assignment, students_root).student
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student, target)
        layout = Assignment(config.assignment, dist_root)
        _write_dist(tmp / "out" / "autograder", layout.dist, config)
        data = [*settings.get("files", []), *settings.get("autograder_files", [])]
        shutil.rmtree(layout.files, ignore_errors=True)
        _copy(master.parent, data, layout.files, master)
        _copy(master.parent, settings.get("files", []), target.parent, master)  # the student's download
        _write_requirements(masters.requirements(settings, master.parent), layout.requirements)
    return target


def _write_requirements(lines, path):
    if lines:
        path.write_text("".join(f"{line}\n" for line in lines))
    else:
        path.unlink(missing_ok=True)


def not_installed(config):
    """The requirements of the assignment that this environment lacks: its kernels import from it."""
    path = config.files.requirements
    missing = []
    for line in path.read_text().splitlines() if path.is_file() else []:
        try:
            importlib.metadata.version(Requirement(line).name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(line)
        except InvalidRequirement:
            continue  # pip's own options (-r, --index-url): pip reads them where it installs
    return missing


def _beside(master, name):
    return [name] if (master.parent / name).is_file() else []


def _copy(folder, names, to, master):
    """Copy the files (or folders) `names`, relative to `folder`, to the same places under `to`."""
    for name in names:
        source = folder / name
        if not source.exists() or not source.resolve().is_relative_to(folder.resolve()):
            raise BuildError(f"{master}: its ASSIGNMENT CONFIG names {name}, which is not in {folder}: put it there")
        (to / name).parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, to / name, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, to / name)


def build_each(names, load):
    """Build each assignment it can (`load(name)` gives its config): the lines saying what it built, and
    why each one it could not build was not (a master it cannot take stops none of the others)."""
    built, failed = [], {}
    for name in names:
        try:
            config = load(name)
            built += [f"built {build_one(config, config.root, config.root)}", f"built {write_zip(config)}"]
        except KitError as e:
            failed[name] = str(e)
            continue
        built += [f"warning: a check's message: {problem}" for problem in untrue_messages(config.files.tests)]
        built += [
            f"warning: {name} needs {line}, which is not installed here: its kernels cannot import it "
            f"(pip install -r {config.files.requirements})"
            for line in not_installed(config)
        ]
    return built, failed


# otter's grading settings (its ASSIGNMENT CONFIG's `generate:`) that change a grade in ways the kit
# does not grade, each with what to do instead.
NOT_GRADED = {
    "score_threshold": "the kit gives each question its points: remove it, or set the points to what it should give",
    "plugins": "otter's plugins do not run in the kit's grader: remove them, and put what they do in the tests",
    "grade_from_log": "the kit grades the notebook the student submitted, never a log of it: remove it",
}


def _check_format(nb, master):
    """The master's ASSIGNMENT CONFIG (empty where it has none: otter's defaults), or one line saying why not."""
    try:
        settings = masters.assignment_config(nb, master.parent) or {}
    except BuildError as e:
        raise BuildError(f"{master}: {e}") from None
    generate = settings.get("generate") if isinstance(settings.get("generate"), dict) else {}
    for key, instead in NOT_GRADED.items():
        if generate.get(key):
            cell = next(n for n, c in enumerate(nb.cells, 1) if masters.is_assignment_config(c))
            raise BuildError(f"{master}: cell {cell}, its ASSIGNMENT CONFIG's generate: {key}: {instead}")
    return settings


def _write_dist(otter_out, dist, config):
    """Keep otter's zip under a stable name and its test files where grading reads them. otter's zip
    gets what its tests import beside them (otter copies its files/ there): the assignment's module
    and its settings as values (testing.OTTER_SHIPPED), so that `otter run` grades as the kit does."""
    otter_zip = next(otter_out.glob("*-autograder_*.zip"))
    shutil.rmtree(dist / "tests", ignore_errors=True)
    (dist / "tests").mkdir(parents=True)
    with zipfile.ZipFile(otter_zip) as z:
        for member in z.namelist():
            if member.startswith("tests/") and member.endswith(".py"):
                (dist / member).write_text(named_tests(z.read(member).decode()))
        (dist / "otter_config.json").write_bytes(z.read("otter_config.json"))
    shutil.copyfile(otter_zip, dist / "otter-autograder.zip")
    shipped = replace(hooks.with_data(config), root=Path("."), source=OTTER_SHIPPED)
    with zipfile.ZipFile(dist / "otter-autograder.zip", "a") as z:
        z.writestr(f"files/{OTTER_SHIPPED}", json.dumps(shipped.to_dict(), indent=1, sort_keys=True))
        if config.files.module.is_file():
            z.write(config.files.module, f"files/{config.files.module.name}")


def stale_notebooks(configs):
    """Student notebooks that differ from what the masters build to now; writes nothing in the course."""
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for config in configs:
            fresh = build_one(config, Path(tmp), Path(tmp))
            committed = config.files.student
            if not committed.exists() or committed.read_bytes() != fresh.read_bytes():
                stale.append(committed)
    return stale

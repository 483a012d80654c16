"""otter's assign format, read as otter reads it: OK-format tests (otter's default), config cells
fenced in markdown, points from the question, from each test's TEST CONFIG or from neither; and a
course whose masters cannot all be built builds the others.
"""

import json
import shutil
import subprocess
import sys
import threading
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient
from otter.test_files import create_test_file

from autograder import ROOT
from autograder.assign.answers import fill_answers, solution_answers
from autograder.assign.build import build_each, build_one, not_installed
from autograder.assign.gradescope_zip import write_zip
from autograder.classroom.collect import Submission, of_assignment
from autograder.config import load_config
from autograder.course import known_as
from autograder.grading.isolate import grade_isolated

md, code, raw = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell, nbformat.v4.new_raw_cell
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def fenced(text):
    return md(f"```otter\n{text}\n```")


def question(name, config, prompt, solution, tests, fence=False):
    """A question's cells; its config fenced in markdown (as otter 7 allows) with `fence`."""
    header = f"# BEGIN QUESTION\nname: {name}" + (f"\n{config}" if config else "")
    return [
        fenced(header) if fence else raw(header),
        md(prompt),
        raw("# BEGIN SOLUTION"),
        code(solution),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        *[code(t) for t in tests],
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]


def ok_master(path, settings=""):
    """An OK-format master (otter's default): its tests' expected values are its saved outputs, so it is run."""
    config = f"# ASSIGNMENT CONFIG\nname: {path.stem}\ninit_cell: false\ncheck_all_cell: false\nexport_cell: false"
    config += settings
    cells = [
        fenced(config),
        md("# Arithmetic, in otter's OK format"),
        code("import numpy as np"),
        *question(
            "answer",
            "",
            "Set `x` to 6 times 7.",
            "x = 6 * 7  # SOLUTION",
            ['""" # BEGIN TEST CONFIG\npoints: 2\n""" # END TEST CONFIG\nx == 42', "# HIDDEN\nisinstance(x, int)"],
            fence=True,
        ),
        *question(
            "double",
            "points: [1, 3]",
            "Write `double(v)`.",
            "def double(v):\n    return 2 * v  # SOLUTION",
            ["double(3)", "# HIDDEN\ndouble(-1.5)"],
        ),
        *question(
            "words",
            "",
            "Set `words` to the words of 'to be or not'.",
            'words = "to be or not".split()  # SOLUTION',
            ["len(words)", "# HIDDEN\nsorted(words)"],
        ),
    ]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL})
    NotebookClient(nb, timeout=60).execute()
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A copy of the course with the OK-format master added, built."""
    root = tmp_path_factory.mktemp("otter-format")
    shutil.copytree(ROOT / "solutions", root / "solutions")
    shutil.copy(ROOT / "grading_config.yml", root)
    ok_master(root / "solutions" / "oktests.ipynb")
    config = load_config(root / "grading_config.yml", root, "oktests")
    build_one(config, root, root)
    return config


def _scratch(course, tmp_path):
    """A course of its own in `tmp_path`: the built course's masters and config, for a test to add to."""
    shutil.copytree(course.root / "solutions", tmp_path / "solutions")
    shutil.copy(course.source, tmp_path)


def test_points_are_what_otters_test_files_hold(course):
    """No points at all: 1 a question; a TEST CONFIG's 2 (the other test then 0); a list, summed."""
    assert course.points == {"answer": 2, "double": 4, "words": 1}
    built = {p.stem: create_test_file(str(p), None).possible for p in course.files.tests.glob("*.py")}
    assert built == course.points


def test_ok_format_tests_grade_as_otter_run_grades_them(course, sandbox, tmp_path):
    template = nbformat.read(course.files.student, as_version=4)
    solution = solution_answers(course.files.master)
    submissions = {
        "solution": fill_answers(template, solution),
        "blank": template,
        "wrong": fill_answers(template, {**solution, "double": solution["double"].replace("2 * v", "v + v + 1")}),
    }
    for name, nb in submissions.items():
        path = tmp_path / name / "oktests.ipynb"
        path.parent.mkdir()
        nbformat.write(nb, path)
        kit = grade_isolated(Submission(name, name, path), tmp_path / name / "kit", course, threading.Event(), sandbox)
        assert kit.error is None, kit.error
        assert {q.name: q.score for q in kit.questions} == _otter_run(course, path), name


def _otter_run(config, path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "otter",
            "run",
            "-a",
            str(config.files.otter_zip),
            "-o",
            str(path.parent),
            "--no-logo",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    tests = json.loads((path.parent / "results.json").read_text())["tests"]
    return {t["name"].split(" ")[0]: t["score"] for t in tests if t["name"] != "Public Tests"}


def test_points_possible_scales_each_question_and_its_tests_keep_their_shares(course, sandbox, tmp_path):
    """otter's `points_possible`: 7 points scaled to 14; the kit's total is otter run's on the same zip."""
    _scratch(course, tmp_path)
    ok_master(tmp_path / "solutions" / "scaled.ipynb", "\ngenerate:\n  points_possible: 14")
    config = load_config(course.source, tmp_path, "scaled")
    assert config.points == {"answer": 4, "double": 8, "words": 2}
    student = nbformat.read(build_one(config, tmp_path, tmp_path), as_version=4)
    shares = {
        p.stem: [tc.points for tc in create_test_file(str(p), None).test_cases] for p in config.files.tests.glob("*.py")
    }
    assert shares == {"answer": [4, 0], "double": [2, 6], "words": [1, 1]}
    solution = solution_answers(config.files.master)
    wrong = fill_answers(student, {**solution, "double": solution["double"].replace("2 * v", "v + v + 1")})
    path = tmp_path / "wrong" / "scaled.ipynb"
    path.parent.mkdir()
    nbformat.write(wrong, path)
    kit = grade_isolated(Submission("w", "w", path), tmp_path / "kit", config, threading.Event(), sandbox)
    _otter_run(config, path)
    assert (kit.score, kit.possible) == (6, 14) == (json.loads((path.parent / "results.json").read_text())["score"], 14)


def test_a_course_builds_every_master_it_can_and_says_why_not_for_the_others(course, tmp_path):
    _scratch(course, tmp_path)
    broken = nbformat.read(course.files.master, as_version=4)
    test = next(c for c in broken.cells if c.source == "double(3)")
    test.source = "double(3"  # a test that is not Python
    nbformat.write(broken, tmp_path / "solutions" / "broken.ipynb")
    built, failed = build_each(["broken", "oktests"], lambda name: load_config(course.source, tmp_path, name))
    assert (
        list(failed) == ["broken"]
        and "question 'double': A test cell in question double contains invalid" in failed["broken"]
    )
    assert (tmp_path / "assignments" / "oktests" / "oktests.ipynb").is_file() and built[0].startswith("built ")


def test_what_otter_grades_and_the_kit_does_not_is_refused_at_build_saying_what_to_do(course, tmp_path):
    _scratch(course, tmp_path)
    nb = nbformat.read(course.files.master, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("name: oktests", "name: oktests\ngenerate:\n  score_threshold: 0.8")
    nbformat.write(nb, tmp_path / "solutions" / "threshold.ipynb")
    _, failed = build_each(["threshold"], lambda name: load_config(course.source, tmp_path, name))
    assert failed["threshold"].endswith(
        "threshold.ipynb: cell 1, its ASSIGNMENT CONFIG's generate: score_threshold: the kit gives each question "
        "its points: remove it, or set the points to what it should give"
    )


def manual_master(path):
    """Manual questions (a written answer, a plot) and an untested one around a tested one."""
    config = (
        "# ASSIGNMENT CONFIG\nname: manual\ninit_cell: false\ncheck_all_cell: false\nexport_cell: false\n"
        "tests:\n  ok_format: false"
    )
    cells = [
        raw(config),
        code("import numpy as np"),
        *question("explain", "manual: true\npoints: 2", "Why does the loss fall?", "", [])[:2],
        raw("# BEGIN SOLUTION"),
        md("Because each step follows the negative gradient."),
        raw("# END SOLUTION"),
        raw("# END QUESTION"),
        *[c for c in question("untested", "points: 1", "Set `y`.", "y = 3  # SOLUTION", []) if "TESTS" not in c.source],
        *question(
            "double",
            "points: 2",
            "Write `double(v)`.",
            "def double(v):\n    return 2 * v  # SOLUTION",
            ["def test_double(double):\n    assert double(3) == 6, f'double(3) should be 6, not {double(3)}'"],
        ),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL}), path)


def test_manual_and_untested_questions_build_their_answers_filed_under_their_own(course, sandbox, tmp_path):
    _scratch(course, tmp_path)
    manual_master(tmp_path / "solutions" / "manual.ipynb")
    config = load_config(course.source, tmp_path, "manual")
    student = nbformat.read(build_one(config, tmp_path, tmp_path), as_version=4)
    answers = {c.id: c for c in student.cells if "otter_answer_cell" in c.metadata.get("tags", [])}
    assert list(answers) == ["explain-answer", "untested-answer", "double-answer"]
    assert answers["explain-answer"].cell_type == "markdown"
    assert "double is not written yet (Question 3)" in answers["double-answer"].source
    path = tmp_path / "solution" / "manual.ipynb"
    path.parent.mkdir()
    nbformat.write(fill_answers(student, solution_answers(config.files.master)), path)
    kit = grade_isolated(Submission("s", "s", path), tmp_path / "kit", config, threading.Event(), sandbox)
    assert {q.name: q.score for q in kit.questions} == _otter_run(config, path) == {"double": 2}
    assert not kit.cell_errors  # the written answer is not run as code


def test_the_files_a_master_names_travel_with_it(course, sandbox, tmp_path):
    """files (read by a relative path), requirements and a config_file (which sets the test format)."""
    _scratch(course, tmp_path)
    folder = tmp_path / "solutions"
    (folder / "prices.csv").write_text("1.5\n2.5\n2.0\n")
    (folder / "prices.yml").write_text("tests:\n  ok_format: false\n")
    (folder / "prices-requirements.txt").write_text("# what grading needs\nnumpy\nno-such-package-here==1.0\n")
    settings = "name: prices\nconfig_file: prices.yml\nfiles:\n  - prices.csv\nrequirements: prices-requirements.txt"
    cells = [
        raw(f"# ASSIGNMENT CONFIG\n{settings}\ninit_cell: false\ncheck_all_cell: false\nexport_cell: false"),
        code("import numpy as np"),
        *question(
            "total",
            "points: 2",
            "Add up the prices in prices.csv.",
            'total = np.loadtxt("prices.csv").sum()  # SOLUTION',
            ["def test_total(total):\n    assert total == 6.0, f'the prices add up to 6.0, not {total}'"],
        ),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL}), folder / "prices.ipynb")
    config = load_config(course.source, tmp_path, "prices")
    student = build_one(config, tmp_path, tmp_path)
    assert (student.parent / "prices.csv").is_file() and (config.files.files / "prices.csv").is_file()
    assert not_installed(config) == ["no-such-package-here==1.0"]  # build warns of it
    with zipfile.ZipFile(write_zip(config)) as z:
        requirements = z.read("kit/dist/prices/requirements.txt").decode()
        installs = 'pip install -r "/autograder/source/kit/dist/prices/requirements.txt"' in z.read("setup.sh").decode()
    assert requirements == "numpy\nno-such-package-here==1.0\n" and installs  # installed in Gradescope's image
    path = tmp_path / "solution" / "prices.ipynb"
    path.parent.mkdir()
    nbformat.write(fill_answers(nbformat.read(student, as_version=4), solution_answers(config.files.master)), path)
    kit = grade_isolated(Submission("s", "s", path), tmp_path / "kit", config, threading.Event(), sandbox)
    assert {q.name: q.score for q in kit.questions} == _otter_run(config, path) == {"total": 2}, (
        kit.cell_errors,
        kit.questions,
    )


def test_a_master_without_config_or_named_otherwise_is_named_by_its_file(course, tmp_path):
    """otter's defaults where there is no ASSIGNMENT CONFIG; a config's own name gives way to the file's."""
    _scratch(course, tmp_path)
    nb = nbformat.read(course.files.master, as_version=4)
    nbformat.write(
        nbformat.v4.new_notebook(cells=nb.cells[1:], metadata=nb.metadata), tmp_path / "solutions" / "bare.ipynb"
    )
    nb.cells[0].source = nb.cells[0].source.replace("name: oktests", "name: hw01")
    nbformat.write(nb, tmp_path / "solutions" / "renamed.ipynb")
    for name in ("bare", "renamed"):
        student = nbformat.read(build_one(load_config(course.source, tmp_path, name), tmp_path, tmp_path), as_version=4)
        assert student.metadata.otter.assignment_name == name


def test_a_masters_own_otter_init_cell_comes_before_the_kits_grader(course, tmp_path):
    """A hand-written `grader = otter.Notebook()` would read no public tests: the kit's setup cell follows it."""
    _scratch(course, tmp_path)
    nb = nbformat.read(course.files.master, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("name: oktests", "name: own_init")
    nb.cells.insert(3, code('import otter\ngrader = otter.Notebook("own_init.ipynb")'))
    nbformat.write(nb, tmp_path / "solutions" / "own_init.ipynb")
    student = nbformat.read(build_one(load_config(course.source, tmp_path, "own_init"), tmp_path, tmp_path), 4)
    sources = [c.source for c in student.cells]
    own = next(i for i, s in enumerate(sources) if 'otter.Notebook("own_init.ipynb")' in s)
    assert own < next(i for i, s in enumerate(sources) if 'otter.Notebook(tests_dir="public_tests")' in s)


def test_a_notebook_otter_built_under_the_masters_own_name_is_graded(course, sandbox, tmp_path):
    """Students who had otter's notebook before the course moved to the kit hand in `hw01`: it is `renamed`'s."""
    _scratch(course, tmp_path)
    nb = nbformat.read(course.files.master, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("name: oktests", "name: hw01")
    nbformat.write(nb, tmp_path / "solutions" / "renamed.ipynb")
    config = load_config(course.source, tmp_path, "renamed")
    student = nbformat.read(build_one(config, tmp_path, tmp_path), as_version=4)
    otters = fill_answers(student, solution_answers(config.files.master))
    otters.metadata.otter.assignment_name = "hw01"  # as otter's own build names it
    path = tmp_path / "class" / "hw01.ipynb"
    path.parent.mkdir()
    nbformat.write(otters, path)
    assert config.known_as == ("hw01",) and known_as(tmp_path)["hw01"] == "renamed"
    assert of_assignment([Submission("s", "s", path)], "renamed", config.known_as)[1] == []
    kit = grade_isolated(Submission("s", "s", path), tmp_path / "kit", config, threading.Event(), sandbox)
    assert kit.error is None and kit.score == kit.possible == 7, kit.error


def test_tests_otter_writes_as_files_are_packed_too(course, tmp_path):
    """`tests: {files: true}`: otter writes the public tests to files, not into the notebook."""
    _scratch(course, tmp_path)
    nb = nbformat.read(course.files.master, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("name: oktests", "name: oktests\ntests:\n  files: true")
    nbformat.write(nb, tmp_path / "solutions" / "oktests.ipynb")
    student = build_one(load_config(course.source, tmp_path, "oktests"), tmp_path, tmp_path)
    setup = next(c.source for c in nbformat.read(student, as_version=4).cells if "PUBLIC_TESTS = {" in c.source)
    assert all(f'"{name}": "OK_FORMAT = True' in setup for name in course.points), setup[:300]

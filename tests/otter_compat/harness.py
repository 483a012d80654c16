"""One otter-7 master graded twice, by otter and by the kit, so that the two can be compared.

otter's side is the reference: `otter assign` builds the student and autograder notebooks and the
autograder zip, and `otter run` grades each submission in this environment (results.json, one
Gradescope test per question). The submissions come from otter's own output, as a class that used
otter would hand them in: the solution (otter's autograder notebook), the blank student notebook,
and per question one wrong answer (`<master>.wrong.yml`: a replacement in the solution).
The kit's side builds the same master in a temporary course (tests/test_course.py's way) and grades
the same files; a build or grading failure is its one-line error.
"""

import json
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from autograder import ROOT

OTTER_TIMEOUT = 300  # seconds for one otter command; these masters run in seconds
SCRATCH = re.compile(r"/tmp/\S*/(?=[^/\s]+)")  # a temporary folder, which differs from run to run
NOT_SUPPORT = {"generate.py"}  # files beside a fixture that are not the master's own


@dataclass
class Graded:
    """One grader's verdict on one submission: {question: (score, max)} and total, or why none."""

    questions: dict = field(default_factory=dict)
    total: float | None = None
    error: str | None = None


@dataclass
class Comparison:
    """Both graders on one master: {submission: Graded}, and the kit's build error, if any."""

    master: str
    otter: dict
    kit: dict
    otter_error: str | None = None
    kit_error: str | None = None


def one_line(error):
    """An error as one stable line: its first line, temporary paths left out."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
    return SCRATCH.sub("", text)[:300]


def support_files(master):
    """The files beside a master that it may name (files:, config_file:, student_files:)."""
    return [
        p
        for p in master.parent.iterdir()
        if p.is_file() and p.suffix != ".ipynb" and not p.name.endswith(".wrong.yml") and p.name not in NOT_SUPPORT
    ]


def wrong_answers(master):
    """{question: [old, new]}: one wrong answer per question, if the master has a spec beside it."""
    spec = master.with_suffix(".wrong.yml")
    return yaml.safe_load(spec.read_text()) if spec.is_file() else {}


def copy_master(master, folder):
    """The master and its support files in a fresh folder: otter reads `files:` relative to it."""
    folder.mkdir(parents=True)
    for path in [master, *support_files(master)]:
        shutil.copy(path, folder / path.name)
    return folder / master.name


def otter_assign(master, work):
    """otter assign's output folder for `master` (no PDFs, the solution not graded here)."""
    source = copy_master(master, work / "source")
    dist = work / "dist"
    _otter(["assign", "--no-run-tests", "--no-pdfs", source.name, str(dist)], source.parent)
    return dist


def _otter(args, cwd):
    """Run `python -m otter ARGS`; a failure raises with otter's last line."""
    run = subprocess.run(
        [sys.executable, "-m", "otter", *args], cwd=cwd, capture_output=True, text=True, timeout=OTTER_TIMEOUT
    )
    if run.returncode != 0:
        lines = [line for line in (run.stderr + run.stdout).splitlines() if line.strip()]
        raise RuntimeError(f"otter {args[0]} failed: {lines[-1] if lines else run.returncode}")
    return run


def _autograder_zip(dist):
    """The zip otter assign wrote; a master without autograded questions (a lecture) has none."""
    found = sorted((dist / "autograder").glob("*-autograder_*.zip"))
    if not found:
        raise FileNotFoundError("otter assign wrote no autograder zip (no autograded questions)")
    return found[0]


def make_submissions(master, dist, out):
    """{name: path}: the solution, the blank student notebook and one wrong answer per question."""
    solution, blank = dist / "autograder" / master.name, dist / "student" / master.name
    subs = {"solution": _copy(solution, out / "solution"), "blank": _copy(blank, out / "blank")}
    for question, (old, new) in wrong_answers(master).items():
        subs[f"wrong_{question}"] = _replaced(solution, old, new, out / f"wrong_{question}")
    return subs


def _copy(notebook, folder):
    folder.mkdir(parents=True)
    return Path(shutil.copy(notebook, folder / notebook.name))


def _replaced(notebook, old, new, folder):
    """The notebook with `old` replaced by `new` in the one code cell that holds it."""
    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
    if len(cells) != 1:
        raise ValueError(f"{notebook.name}: {old!r} is in {len(cells)} code cells, not 1")
    cells[0].source = cells[0].source.replace(old, new)
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / notebook.name)
    return folder / notebook.name


def otter_run(autograder_zip, submission, out):
    """otter run's verdict on one submission, read from its results.json."""
    out.mkdir(parents=True)
    try:
        _otter(["run", "-a", str(autograder_zip), "-o", str(out), "--no-logo", str(submission)], out)
        results = json.loads((out / "results.json").read_text())
    except Exception as e:
        return Graded(error=one_line(e))
    questions = {
        t["name"]: (round(t["score"], 4), round(t["max_score"], 4)) for t in results["tests"] if "max_score" in t
    }
    total = results.get("score", sum(score for score, _ in questions.values()))
    return Graded(questions, round(total, 4))


def kit_course(master, root):
    """A temporary course with the master added (tests/test_course.py's `course`): its config."""
    from autograder.config import load_config

    shutil.copytree(ROOT / "solutions", root / "solutions")
    shutil.copy(ROOT / "grading_config.yml", root)
    for path in [master, *support_files(master)]:
        shutil.copy(path, root / "solutions" / path.name)
    return load_config(root / "grading_config.yml", root, master.stem)


def kit_build(master, root):
    """The master built by the kit in a temporary course: its config."""
    from autograder.assign.build import build_one

    config = kit_course(master, root)
    build_one(config, root, root)
    return config


def kit_grade(config, submission, out, sandbox):
    """The kit's verdict on one submission."""
    from autograder.classroom.collect import one_submission
    from autograder.grading.isolate import grade_isolated

    try:
        result = grade_isolated(one_submission(submission), out, config, threading.Event(), sandbox)
    except Exception as e:
        return Graded(error=one_line(e))
    questions = {q.name: (round(q.score, 4), round(q.possible, 4)) for q in result.questions}
    error = one_line(result.error) if result.error else None
    return Graded(questions, round(result.score, 4), error)


def compare(master, work):
    """Both graders on `master`'s submissions, in the folder `work` (made here)."""
    from autograder.grading.sandbox import Sandbox

    master, work = Path(master), Path(work)
    try:
        dist = otter_assign(master, work / "otter")
        subs = make_submissions(master, dist, work / "submissions")
        otter_zip = _autograder_zip(dist)
    except Exception as e:
        return Comparison(master.stem, {}, {}, otter_error=one_line(e))
    by_otter = {name: otter_run(otter_zip, path, work / "otter_out" / name) for name, path in subs.items()}
    try:
        config = kit_build(master, work / "course")
    except Exception as e:
        return Comparison(master.stem, by_otter, {}, kit_error=one_line(e))
    sandbox = Sandbox.choose()
    by_kit = {name: kit_grade(config, path, work / "kit_out" / name, sandbox) for name, path in subs.items()}
    return Comparison(master.stem, by_otter, by_kit)


def kit_failure(comparison, submission):
    """Why the kit's verdict on `submission` is not otter's, in one line; None when they agree."""
    otter = comparison.otter[submission]
    kit = comparison.kit.get(submission)
    if comparison.kit_error:
        return f"build: {comparison.kit_error}"
    if kit.error:
        return f"grade: {kit.error}"
    if _shares(kit) == _shares(otter) and kit.total != otter.total:
        return "the questions' scores agree; only the total differs"
    if (_shares(kit), kit.total) != (_shares(otter), otter.total):
        return f"scores differ: kit {_scores(kit)} vs otter {_scores(otter)}"
    return None


def _shares(graded):
    """Each question's share of its points: where a master has `points_possible`, the kit scales
    each question to it and otter only the total (the documented difference), so the shares and
    the totals are what must agree."""
    return {q: (round(s / m, 4) if m else s, m > 0) for q, (s, m) in graded.questions.items()}


def _scores(graded):
    parts = [f"{q} {s:g}/{m:g}" for q, (s, m) in graded.questions.items()]
    return ", ".join(parts) + f"; total {graded.total:g}"

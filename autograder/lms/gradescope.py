"""Inside Gradescope: grade /autograder/submission, always write results.json.

Gradescope shows "The autograder failed to execute correctly" when results.json is
missing or malformed, so every path here, a crash included, ends with one. Grading
runs isolated (grading/isolate.py), so the config's time and memory limits hold here too,
and student code runs as the unprivileged `student` (sandbox.py): no such user, no
grading, and results.json says why. A late submission (Gradescope's `created_at` after the
config's due date, else the assignment's own) has the config's late policy applied.
"""

import json
import threading
import traceback
from datetime import datetime
from pathlib import Path

from autograder import ROOT
from autograder.assign.gradescope_zip import ASSIGNMENT_FILE
from autograder.classroom.collect import Submission
from autograder.classroom.late import ON_TIME, lateness, settle
from autograder.config import Config
from autograder.contract import GradeResult, Status
from autograder.grading.grade import planned_questions
from autograder.grading.isolate import grade_isolated
from autograder.grading.sandbox import Sandbox
from autograder.reports.write import write_reports, write_student_reports

AUTOGRADER = Path("/autograder")
STUDENT = "student"  # the unprivileged user setup.sh creates


def find_submission(folder, assignment):
    """The submitted file: the notebook (preferring the assignment's name) or a zip."""
    candidates = sorted(
        p for p in folder.rglob("*") if p.suffix in (".ipynb", ".zip") and ".ipynb_checkpoints" not in p.parts
    )
    named = [p for p in candidates if p.stem == assignment]
    return (named or candidates or [folder / f"{assignment}.ipynb"])[0]


def submission_lateness(metadata, config):
    """How late Gradescope says the submission is: its `created_at` against the due date."""
    try:
        data = json.loads(metadata.read_text())
        due = config.due_date or (data.get("assignment") or {}).get("due_date")
        if not due:
            return ON_TIME
        return lateness(datetime.fromisoformat(data["created_at"]), False, due)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        print(f"lateness unknown, counted as on time: {metadata} is not as Gradescope writes it ({e})")
        return ON_TIME


def shipped_config(kit=ROOT):
    """The settings the zip shipped (gradescope_zip.ASSIGNMENT_FILE), its course folder the kit's own."""
    return Config.from_dict({**json.loads((kit / ASSIGNMENT_FILE).read_text()), "root": str(kit)})


def run(config=None, root=AUTOGRADER) -> GradeResult:
    """Grade the submission under `root` with `config` (default: the settings the zip shipped)."""
    config = config or shipped_config()
    results = root / "results"
    results.mkdir(exist_ok=True)
    results.chmod(0o755)  # whatever the harness made it: only the grader writes the results
    try:
        sandbox = Sandbox.choose(user=STUDENT)  # no such user: no grading (fail closed), and results say why
        print(f"sandbox: {'bubblewrap, ' if sandbox.bwrap else 'no bubblewrap here, '}student code runs as {STUDENT}")
        path = find_submission(root / "submission", config.assignment)
        result = grade_isolated(Submission("student", "student", path), results, config, threading.Event(), sandbox)
        late = submission_lateness(root / "submission_metadata.json", config)
        if late.days:
            settlement = settle(result.score, result.possible, [], late, config)
            write_student_reports(result, results, config, "student", settlement)
        return result
    except Exception as e:  # the kit's own failure: still a results file, and the trace in stdout
        traceback.print_exc()
        reason = f"the autograder failed: {type(e).__name__}: {e}"
        try:
            questions = planned_questions(config)
        except Exception:
            questions = []
        result = GradeResult.without_results("submission", questions, reason, Status.CRASHED)
        write_reports(result, results, config)
        return result

"""Grade a whole class in parallel, losing nothing, and grading again only what must be.

The out folder is the class. A run grades the submissions that are new, whose file changed
(its hash is in the gradebook) or that the instructor names (`regrade`); every other row is
kept as it is. With `questions`, a named submission whose file is unchanged has only those
questions graded again, running only the cells their tests need (no retraining for a
question that does not read the model). Each row goes into gradebook.csv as soon as its
submission is done, so a crash or Ctrl-C keeps every finished row and the same command resumes.

Then the class is settled (settle.py): adjustments and the late policy applied, the pages made
anew, history.csv told what changed (the command line then writes the similarity page:
similarity/compare). Every write to the class's shared files holds the class folder's lock, so
the review app may adjust and regrade while a run goes on (`regrade_student` is its regrade).
"""

import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from autograder.classroom.adjustments import read_adjustments
from autograder.classroom.collect import Submission, collect, of_assignment, write_ignored
from autograder.classroom.gradebook import Gradebook, Row, fingerprint
from autograder.classroom.reproduce import chosen, compared, notebook_alone, read_reproduced, record
from autograder.classroom.settle import log_history, previous_grade, settle_class
from autograder.contract import GradeResult
from autograder.errors import InputError
from autograder.folders import ClassFolder
from autograder.grading.isolate import Spares, affordable_jobs, grade_isolated


@dataclass(frozen=True)
class Job:
    """One submission to grade in this run, and why."""

    submission: object  # a collect.Submission
    sha256: str
    why: str
    questions: tuple | None = None
    previous: GradeResult | None = None


@dataclass
class ClassRun:
    """What a run did: the gradebook's rows, and what the instructor should be told."""

    rows: list[Row]
    graded: list[Job]
    ignored: list  # collect.Ignored
    absent: list[Row]
    """Rows kept from earlier runs whose submission is not under this run's paths."""
    warnings: list[str]


def grade_all(
    paths, out, config, jobs, sandbox, regrade=None, questions=None, cluster=None, reproduce=None
) -> ClassRun:
    """Grade the class under `paths` into `out`, each submission in `sandbox`, `jobs` at a time.

    `regrade`: None (only new and changed files), [] (every submission) or student names.
    `questions`: grade only these questions again, for the submissions regraded.
    `cluster`: a cluster.Cluster whose workers grade instead (in their own sandboxes).
    `reproduce`: loaded weights to check by training their notebooks again (reproduce.chosen), here.
    """
    folder = ClassFolder(out)
    held = folder.assignment()
    if held not in (None, config.assignment):
        raise InputError(f"{out} holds the class of {held!r}: grade {config.assignment!r} into another folder (--out)")
    submissions, ignored = collect(paths, folder.unpacked)
    submissions, others = of_assignment(submissions, config.assignment, config.known_as)
    ignored += others
    if not submissions:
        raise no_submissions(paths, ignored)
    out.mkdir(parents=True, exist_ok=True)
    folder.assignment_file.write_text(f"{config.assignment}\n")
    write_ignored(folder.ignored, ignored)
    read_adjustments(folder.adjustments, list(config.points))  # an unusable line stops the run before grading
    book = Gradebook.of(folder.gradebook, config)
    with folder.lock:
        rows = book.read()
        if not rows:
            book.rewrite([])  # a new class (or a file this version cannot read): started anew
    todo = _plan(submissions, rows, out, regrade, questions)
    for row in _graded(todo, out, config, jobs, sandbox, len(submissions), cluster):
        with folder.lock:
            book.add(row)
    if reproduce is not None:
        with folder.lock:
            rows = book.read()
        _reproduced(rows, reproduce, out, config, jobs, sandbox)
    found = {s.student: s for s in submissions}
    with folder.lock:
        final = settle_class(out, config, found)
        log_history(folder.history, _history(todo, rows, final))
        adjustments = read_adjustments(folder.adjustments, list(config.points))
    unknown = sorted({a.student for a in adjustments} - {n for row in final.values() for n in (row.student, row.name)})
    warnings = [f"adjustments.csv names {s}, who has no row in the gradebook: not applied" for s in unknown]
    absent = [row for row in final.values() if row.student not in found]
    return ClassRun(list(final.values()), todo, ignored, absent, warnings)


def regrade_student(out, config, student, questions, sandbox):
    """Grade one student of a graded class again, from the file its row records (every question, or
    `questions`, running only the cells their tests need), and settle: the review app's regrade,
    through the class run's own grading. Returns the student's settled row."""
    folder = ClassFolder(out)
    row = Gradebook.of(folder.gradebook, config).read().get(student)
    if row is None:
        raise InputError(f"{student!r} has no row in {folder.gradebook}")
    path = Path(row.file)
    if not path.is_file():
        raise InputError(f"{row.file} is not there any more: grade the class again from its files")
    previous = previous_grade(out, student) if questions else None
    why = f"regrade of {', '.join(questions)}" if previous else "regrade"
    submission = Submission(row.student, row.name, path, row.lms_id)
    job = Job(submission, fingerprint(path), why, tuple(questions) if previous else None, previous)
    progress = _Progress(1, 0, quiet=True)
    (graded,) = _graded_here([job], out, config, 1, sandbox, progress)
    with folder.lock:
        Gradebook.of(folder.gradebook, config).add(
            replace(graded, days_late=row.days_late, late=row.late)  # as late as recorded: its file says nothing
        )
        final = settle_class(out, config, pages_of={student})
        log_history(folder.history, _history([job], {student: row}, final))
    return final[student]


def _reproduced(rows, asked, out, config, jobs, sandbox):
    """Train again the loaded submissions `asked` names and the outliers (classroom/reproduce), those
    whose file was not reproduced yet, each from its notebook alone; record each beside its loaded values."""
    folder = ClassFolder(out)
    done, again = read_reproduced(folder.reproduced), ClassFolder(folder.reproductions)
    keys = [k for k in sorted(chosen(rows.values(), asked, config)) if rows[k].sha256 not in _files(done.get(k))]
    todo = []
    for row in map(rows.get, keys):
        alone = notebook_alone(row, again.path / "notebooks" / row.student, config.assignment)
        todo.append(Job(Submission(row.student, row.name, alone, row.lms_id), row.sha256, "reproduce"))
    progress = _Progress(len(todo), 0, "again, from their notebooks" if todo else None, quiet=not todo)
    try:
        for graded in _graded_here(todo, again.path, config, jobs, sandbox, progress):
            progress.done(graded)
            with folder.lock:
                record(folder.reproduced, compared(rows[graded.student], graded, config))
    finally:
        progress.bar.close()


def _files(reproductions):
    return {r.sha256 for r in reproductions or ()}


def _history(todo, before, after):
    """history.csv's lines for the gradings of a run: whose, why, the file's hash, the totals."""
    return [
        (key, job.why, job.sha256, getattr(before.get(key), "total", None), after[key].total)
        for job in todo
        if (key := job.submission.student) in after
    ]


def no_submissions(paths, ignored):
    """The error of a run with nothing to grade, naming the first files it passed over and why."""
    listed = "; ".join(f"{i.path.name}: {i.why}" for i in ignored[:5])
    return InputError(f"no submissions in {', '.join(map(str, paths))}" + (f" (ignored: {listed})" if listed else ""))


def _plan(submissions, rows, out, regrade, questions):
    """The jobs of this run: new and changed files in full; named submissions in full or by question."""
    named = _named(submissions, regrade) if regrade else None
    todo = []
    for s in submissions:
        sha, old = fingerprint(s.path), rows.get(s.student)
        if old is None or old.sha256 != sha:
            todo.append(Job(s, sha, "new" if old is None else "file changed"))
        elif regrade == [] or (named and s.student in named) or (questions and regrade is None):
            previous = previous_grade(out, s.student) if questions and old.graded else None
            if previous is None:
                todo.append(Job(s, sha, "regrade"))
            else:
                todo.append(Job(s, sha, f"regrade of {', '.join(questions)}", tuple(questions), previous))
    return todo


def _named(submissions, names):
    """The keys of the submissions `names` names (by gradebook key or by name); an unknown name is an error."""
    keys = {}
    for s in submissions:
        keys.setdefault(s.student, s.student)
        keys.setdefault(s.name, s.student)
    unknown = [n for n in names if n not in keys]
    if unknown:
        known = ", ".join(sorted(s.student for s in submissions)[:20])
        raise InputError(f"--regrade: no submission of {', '.join(unknown)} (the class: {known})")
    return {keys[n] for n in names}


def _graded(todo, out, config, jobs, sandbox, class_size, cluster):
    """Gradebook rows as submissions finish, here `jobs` at a time or on `cluster`, the progress shown."""
    where = cluster and "on {} Dask workers ({} at once)".format(*cluster.workers())
    progress = _Progress(class_size, class_size - len(todo), where)
    rows = cluster.graded(todo, out, config) if cluster else _graded_here(todo, out, config, jobs, sandbox, progress)
    try:
        for row in rows:
            progress.done(row)
            yield row
    finally:  # also on Ctrl-C: the gradings under way stop; rows already written stay
        rows.close()
        progress.bar.close()


def _graded_here(todo, out, config, jobs, sandbox, progress):
    """Gradebook rows as submissions finish, graded on this machine `jobs` at a time, each by the
    first child to get ready while earlier ones graded, children graded again (isolate.Spares)."""
    stop = threading.Event()
    jobs, why = affordable_jobs(jobs, config, sandbox)
    if why:
        progress.bar.write(why)

    def grade(job, spares):
        with progress.grading(job.submission.student):
            folder, child = ClassFolder(out).student(job.submission.student).path, spares.take(stop)
            try:
                result = grade_isolated(
                    job.submission, folder, config, stop, sandbox, job.questions, job.previous, child
                )
            finally:
                spares.give_back(child)
            return Row.of(job.submission, result, job.sha256, config.measured)

    with Spares(config, sandbox, jobs, len(todo)) as spares:
        pool = ThreadPoolExecutor(jobs)
        try:
            for future in as_completed([pool.submit(grade, job, spares) for job in todo]):
                yield future.result()
        finally:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)


class _Progress:
    """The progress bar: submissions done, who is being graded (or where), how many were not graded."""

    def __init__(self, total, done, where=None, quiet=False):
        self.bar = tqdm(total=total, initial=done, unit="submission", disable=quiet)
        self.lock, self.running, self.failed, self.where = threading.Lock(), [], 0, where
        self.show()

    @contextmanager
    def grading(self, student):
        with self.lock:
            self.running.append(student)
        self.show()
        try:
            yield
        finally:
            with self.lock:
                self.running.remove(student)

    def done(self, row):
        self.failed += not row.graded
        self.bar.update()
        self.show()

    def show(self):
        with self.lock:
            who = self.where or ", ".join(self.running) or "-"
        self.bar.set_postfix_str(f"grading {who}; not graded {self.failed}")

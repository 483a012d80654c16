"""Command line: `python -m autograder new|build|grade|similarity|serve|preflight|mutants|calibrate|gradescope|...`.

A thin layer: each command imports what it needs when it runs, and every `KitError`
reaches the user as one line `error: ...` with exit code 2.
"""

import argparse
import contextlib
import os
import sys
import threading
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


class _Help(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Each option's default where it has one worth saying (not for a flag, not "None"); epilogs as written."""

    def _get_help_string(self, action):
        if action.default in (None, False, argparse.SUPPRESS):
            return action.help
        return super()._get_help_string(action)


GRADE_EXAMPLES = """a class's out folder is the class: run the same command again after new or changed
submissions arrive and only those are graded.
  python -m autograder grade downloads/ --out classout            grade (or update) the class
  python -m autograder grade downloads/ --out classout --regrade bob alice
  python -m autograder grade downloads/ --out classout --questions activations
classout/adjustments.csv (student,question,points,reason) holds manual adjustments;
every run applies them. classout/history.csv lists every grading with the totals."""


def _parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help="grading config (default: grading_config.yml)")
    one = argparse.ArgumentParser(add_help=False)
    one.add_argument(
        "--assignment", metavar="NAME", help="the assignment (default: the only one, or the one its notebooks name)"
    )
    grading = argparse.ArgumentParser(add_help=False)
    grading.add_argument(
        "--trusted",
        action="store_true",
        help="grade without the sandbox where none is available: NO security boundary, student code runs as you",
    )
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description=__doc__.splitlines()[0],
        parents=[common],
        formatter_class=_Help,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name, help, parents=(), epilog=None):
        return commands.add_parser(
            name, help=help, description=help, parents=[common, *parents], formatter_class=_Help, epilog=epilog
        )

    new = command("new", "write a starter master, solutions/NAME.ipynb, that builds and grades at once")
    new.add_argument("name", metavar="NAME", help="the assignment's name (letters, digits and _)")
    build = command("build", "solutions/ -> assignments/ + dist/, for every assignment (or those named)")
    build.add_argument("names", nargs="*", metavar="NAME", help="assignments to build (default: all)")
    build.add_argument("--check", action="store_true", help="exit 1 if a student notebook is out of date")
    grade = command("grade", "grade one submission, or a whole class", [one, grading], GRADE_EXAMPLES)
    grade.add_argument(
        "paths",
        type=Path,
        nargs="+",
        metavar="PATH",
        help="notebooks, otter export zips, folders, Gradescope or Canvas export zips",
    )
    grade.add_argument(
        "--out", type=Path, default=Path("dist/graded"), help="the class's folder (or one submission's) for the results"
    )
    grade.add_argument(
        "-j",
        "--jobs",
        type=int,
        help="submissions graded at once (default: the cores, shared out at limits.threads each)",
    )
    grade.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="grade on the workers of this Dask scheduler (tcp://host:8786), not here (-j is then theirs: --nthreads)",
    )
    grade.add_argument(
        "--regrade",
        nargs="*",
        metavar="NAME",
        help="grade these students again (by gradebook key or name; none named: everyone); "
        "new and changed files are always graded",
    )
    grade.add_argument(
        "--questions",
        nargs="+",
        metavar="QUESTION",
        help="grade only these questions again (with --regrade: of those students; alone: of everyone), "
        "rerunning only the cells their tests need",
    )
    grade.add_argument(
        "--reproduce",
        nargs="+",
        metavar="WHO",
        help="train again, from their notebooks, loaded weights to check: a share (10%%), a number, or students "
        "by name, and always outliers; a loaded value above its reproduction is flagged, never graded down",
    )
    grade.add_argument(
        "--canvas-csv", action="store_true", help="also write canvas_grades.csv for Canvas's grade import"
    )
    similarity = command(
        "similarity", "which submissions of a graded class share their answers, again (no grading)", [one]
    )
    similarity.add_argument("out", type=Path, metavar="DIR", help="the class's out folder (with its gradebook.csv)")
    serve = command(
        "serve", "review a graded class in a browser: its pages, adjustments, regrades, decisions", [one, grading]
    )
    serve.add_argument("out", type=Path, metavar="OUT", help="the class's out folder (with its gradebook.csv)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on; another than 127.0.0.1 lets other machines reach the app (with the token)",
    )
    serve.add_argument("--port", type=int, default=8765, help="the port (0: any free one)")
    command("gradescope", "inside Gradescope: grade /autograder/submission")
    command("doctor", "say which sandbox features this machine has, and what follows")
    preflight = command("preflight", "measure the solution's grading; print Gradescope settings", [one, grading])
    preflight.add_argument("--out", type=Path, default=Path("dist/preflight"), help="folder for the results")
    mutants = command("mutants", "check that the tests catch planted bugs", [one, grading])
    mutants.add_argument("--out", type=Path, default=Path("dist/mutants"), help="folder for the results")
    mutants.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="submissions graded at once")
    calibrate = command(
        "calibrate", "measure the values the grader measures over seeds; recommend their targets", [one, grading]
    )
    calibrate.add_argument("--seeds", type=int, default=5, help="seeds per model, from the config's seed on")
    calibrate.add_argument("--out", type=Path, default=Path("dist/calibrate"), help="folder for the results")
    calibrate.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="submissions graded at once")
    return parser


def _paths_first(argv, parser):
    """Arguments with existing files named like options ("-x.ipynb") written as paths ("./-x.ipynb"),
    so that argparse grades them instead of refusing an unknown option."""
    options = {o for action in parser._actions for o in action.option_strings}
    options |= {o for sub in _subparsers(parser) for action in sub._actions for o in action.option_strings}
    return [f"./{a}" if a.startswith("-") and a.split("=")[0] not in options and Path(a).exists() else a for a in argv]


def _subparsers(parser):
    return [
        sub
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for sub in action.choices.values()
    ]


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(_paths_first(sys.argv[1:] if argv is None else argv, parser))
    commands = {
        "build": _build,
        "calibrate": _calibrate,
        "doctor": _doctor,
        "grade": _grade,
        "gradescope": _gradescope,
        "mutants": _mutants,
        "new": _new,
        "preflight": _preflight,
        "serve": _serve,
        "similarity": _similarity,
    }
    from autograder.errors import KitError

    try:
        return commands[args.command](args)
    except KitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _config(args, name=None):
    """The settings of the assignment `name` (else --assignment's, else the course's only one)."""
    from autograder.config import load_config

    return load_config(getattr(args, "config", None), assignment=name or getattr(args, "assignment", None))


def _new(args):
    from autograder import ROOT
    from autograder.assign.starter import write_starter

    master = write_starter(args.name, ROOT)
    print(f"wrote {master} (and {master.with_suffix('.mutants.yml').name}): one question, a public and a hidden test")
    print(f"next: python -m autograder build {args.name}, then grade it (docs/own-assignment.md)")
    return 0


def _build(args):
    from autograder.assign.build import build_each, stale_notebooks
    from autograder.course import assignment_names

    names = args.names or assignment_names()
    if args.check:
        stale = stale_notebooks([_config(args, name) for name in names])
        for path in stale:
            print(f"out of date: {path} (run `python -m autograder build`)")
        if not stale:
            print("up to date: the student notebooks are what the solutions build to")
        return 1 if stale else 0
    built, failed = build_each(names, lambda name: _config(args, name))
    for line in built:
        print(line)
    for why in failed.values():
        print(f"error: {why}", file=sys.stderr)
    if failed:
        print(
            f"built {len(names) - len(failed)} of {len(names)} assignments; not built: {', '.join(failed)}",
            file=sys.stderr,
        )
    return 2 if failed else 0


def _grade(args):
    """One submission into its own folder; anything else (or anything into a class's folder) as a class."""
    from autograder.classroom.collect import is_one_submission, require_existing
    from autograder.errors import InputError
    from autograder.folders import ClassFolder
    from autograder.hooks import with_data

    require_existing(args.paths)
    config = _config(args, _assignment_graded(args))
    unknown = [q for q in args.questions or [] if q not in config.points]
    if unknown:
        raise InputError(f"--questions: no question {', '.join(unknown)} (the questions: {', '.join(config.points)})")
    config = with_data(config)  # the data its grading reads, found before anything is written
    if args.reproduce and (args.scheduler or not config.weights):
        why = (
            "it trains on this machine, not with --scheduler" if args.scheduler else "this assignment takes no weights"
        )
        raise InputError(f"--reproduce: {why}")
    is_class = ClassFolder(args.out).gradebook.exists() or args.regrade is not None or args.questions or args.scheduler
    is_class = is_class or args.reproduce
    if len(args.paths) == 1 and is_one_submission(args.paths[0]) and not is_class:
        return _grade_one(args, args.paths[0], args.out, config)
    return _grade_class(args, config)


def _assignment_graded(args):
    """--assignment, else the course's only assignment, else that of the class already in --out, else
    the one most of the files name (in otter's metadata, or by their own name: an instructor's master,
    a Gradescope download's file)."""
    from autograder.classroom.bulk import no_submissions
    from autograder.classroom.collect import collect
    from autograder.course import assignment_names, known_as
    from autograder.errors import ConfigError
    from autograder.folders import ClassFolder
    from autograder.grading.submission import assignment_named

    names, held = assignment_names(), ClassFolder(args.out).assignment()
    if args.assignment or len(names) == 1 or held:
        return args.assignment or held
    submissions, ignored = collect(args.paths, ClassFolder(args.out).unpacked)
    if not submissions:
        raise no_submissions(args.paths, ignored)
    known = known_as()
    named = Counter(known[n] for s in submissions if (n := assignment_named(s.path) or Path(s.path).stem) in known)
    if not named:
        raise ConfigError(
            f"no notebook here names an assignment of the course: name one with --assignment ({', '.join(names)})"
        )
    name, count = named.most_common(1)[0]
    print(f"assignment: {name} (named by {count} of {len(submissions)} files; --assignment chooses another)")
    return name


def _grade_class(args, config):
    from autograder.classroom.bulk import grade_all
    from autograder.classroom.canvas_csv import write_canvas_csv
    from autograder.folders import ClassFolder
    from autograder.names import shown
    from autograder.similarity.compare import write_similarity

    try:
        with _cluster(args, config) as cluster:
            sandbox = None if cluster else _sandbox(args)  # each worker uses its own
            run = grade_all(
                args.paths,
                args.out,
                config,
                max(1, args.jobs or (os.cpu_count() or 1) // config.threads),
                sandbox,
                args.regrade,
                args.questions,
                cluster,
                args.reproduce,
            )
    except KeyboardInterrupt:
        print(f"interrupted: the rows already in {args.out / 'gradebook.csv'} are kept; run again to resume")
        return 130
    for ignored in run.ignored:
        print(f"ignored: {shown(ignored.path)}: {ignored.why}")
    if run.absent:
        names = ", ".join(r.student for r in run.absent[:5]) + (", ..." if len(run.absent) > 5 else "")
        print(f"kept: {len(run.absent)} earlier rows whose submissions are not under these paths ({names})")
    warnings = list(run.warnings)
    if args.canvas_csv:
        warnings += write_canvas_csv(run.rows, ClassFolder(args.out).canvas, config)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    graded = sum(r.graded for r in run.rows)
    why = Counter(job.why for job in run.graded)
    done = ", ".join(f"{n} {reason}" for reason, n in why.items()) or "none: every file is as graded before"
    print(f"{len(run.rows)} submissions, {graded} graded, {len(run.rows) - graded} not graded; graded now: {done}")
    print(f"gradebook: {args.out / 'gradebook.csv'}  summary: {args.out / 'summary.html'}")
    _tell_similarity(write_similarity(run.rows, args.out, config), args.out)
    return 0


def _similarity(args):
    from autograder.similarity.compare import similarity_again

    _tell_similarity(similarity_again(args.out, _class_config(args)), args.out)
    return 0


def _serve(args):
    """The review app on the class in OUT; a regrade there grades as `grade --regrade` does, sandboxed."""
    from autograder.errors import ConfigError

    try:
        from autograder.review.serve import serve
    except ImportError as e:
        raise ConfigError(f"the review app needs {e.name}: make install (or pip install -e '.[review]')") from None

    config = _class_config(args)

    def grade(student, questions):
        from autograder.classroom.bulk import regrade_student

        return regrade_student(args.out, config, student, questions, _sandbox(args))

    serve(args.out, config, args.host, args.port, grade)
    return 0


def _tell_similarity(report, out):
    for u in report.unreadable:
        print(f"not compared: {u.student}: {u.why}")
    flagged = f"{report.flagged} of {report.compared} pairs flagged (never a grade change)"
    print(f"similarity: {flagged}: {out / 'similarity.html'}")


def _cluster(args, config):
    """The Dask cluster named by --scheduler, connected; else nothing (a context that gives None)."""
    if not args.scheduler:
        return contextlib.nullcontext()
    from autograder.classroom.cluster import Cluster

    return Cluster(args.scheduler, config, args.trusted)


def _grade_one(args, path, out, config):
    """One submission, isolated and limited exactly as each one of a class is."""
    from autograder.classroom.collect import one_submission
    from autograder.grading.isolate import grade_isolated
    from autograder.names import shown
    from autograder.reports.text import table

    sandbox = _sandbox(args)
    result = grade_isolated(one_submission(path), out, config, threading.Event(), sandbox)
    print(table(result, config.measured))
    for question in config.manual:
        print(f"{question} ({config.points[question]:g} points) is graded by a person: in a class, in the review app")
    print(f"results: {out / 'results.json'}  feedback: {out / 'feedback.html'}")
    if result.error:
        print(f"error: {shown(path)}: {result.error}", file=sys.stderr)
        return 1
    return 0


def _sandbox(args):
    """The sandbox for student code, chosen once per command; refuses to go on without one unless --trusted."""
    from autograder.grading.sandbox import Sandbox

    return Sandbox.choose(trusted=args.trusted)


def _doctor(args):
    from autograder.grading.sandbox import doctor

    lines, ok = doctor()
    print("\n".join(lines))
    return 0 if ok else 1


def _gradescope(args):
    from autograder.lms.gradescope import run
    from autograder.reports.text import table

    print(table(run()))
    return 0


def _class_config(args):
    """The settings of the graded class in OUT: --assignment's, else the assignment the folder records."""
    from autograder.similarity.compare import graded_class

    return _config(args, args.assignment or graded_class(args.out).assignment())


def _each_config(args):
    """--assignment's settings, else every assignment's, in name order: a course's checks run on all."""
    from autograder.course import assignment_names

    return [_config(args)] if args.assignment else [_config(args, name) for name in assignment_names()]


def _preflight(args):
    from autograder.quality.preflight import preflight

    for config in _each_config(args):
        print(preflight(config, args.out / config.assignment, _sandbox(args)))
    return 0


def _calibrate(args):
    from autograder.quality.calibrate import calibrate

    configs = _each_config(args)
    if not args.assignment:  # the course's: those that have something to calibrate
        configs = [c for c in configs if c.measured and c.files.calibration.is_file()]
    for config in configs:
        print(calibrate(config, max(1, args.seeds), args.out / config.assignment, max(1, args.jobs), _sandbox(args)))
    return 0


def _mutants(args):
    from autograder.quality.mutants import run_mutants

    configs = _each_config(args)
    jobs, sandbox = max(1, args.jobs), _sandbox(args)
    caught = [run_mutants(config, args.out / config.assignment, jobs, sandbox) for config in configs]
    return 0 if all(caught) else 1


if __name__ == "__main__":
    sys.exit(main())

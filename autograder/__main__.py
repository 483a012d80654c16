"""Command line: `python -m autograder build|grade|preflight|mutants|gradescope ...`."""
import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _parser():
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    parser.add_argument("--config", help="grading config (default: grading_config.yml)")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="solutions/ -> assignments/ + dist/")
    build.add_argument("--check", action="store_true", help="exit 1 if a student notebook is out of date")
    grade = commands.add_parser("grade", help="grade one submission, or a whole class")
    grade.add_argument("paths", type=Path, nargs="+", metavar="PATH",
                       help="notebooks, otter export zips, folders, Gradescope or Canvas export zips")
    grade.add_argument("--out", type=Path, default=Path("dist/graded"), help="folder for the results")
    grade.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="submissions graded at once")
    grade.add_argument("--regrade", action="store_true", help="grade again submissions already in the gradebook")
    grade.add_argument("--student", help="the name on a single submission's feedback page")
    grade.add_argument("--canvas-csv", action="store_true", help="also write canvas_grades.csv for Canvas's grade import")
    commands.add_parser("gradescope", help="inside Gradescope: grade /autograder/submission")
    preflight = commands.add_parser("preflight", help="measure the solution's grading; print Gradescope settings")
    preflight.add_argument("--out", type=Path, default=Path("dist/preflight"))
    mutants = commands.add_parser("mutants", help="check that the tests catch planted bugs")
    mutants.add_argument("--out", type=Path, default=Path("dist/mutants"))
    mutants.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)

    from .config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as e:
        sys.exit(f"error: {e}")
    commands = {"build": _build, "grade": _grade, "gradescope": _gradescope, "mutants": _mutants, "preflight": _preflight}
    return commands[args.command](args, config)


def _build(args, config):
    from .build import build, stale_notebooks

    if args.check:
        stale = stale_notebooks(config)
        for path in stale:
            print(f"out of date: {path} (run `python -m autograder build`)")
        return 1 if stale else 0
    from .package import write_zip

    for path in build(config):
        print(f"built {path}")
    print(f"built {write_zip(config)}")
    return 0


def _grade(args, config):
    from .collect import is_one_submission

    if len(args.paths) == 1 and is_one_submission(args.paths[0]):
        return _grade_one(args.paths[0], args.out, config, args.student)
    from .bulk import grade_all
    from .integrity import EnvironmentChanged

    try:
        rows = grade_all(args.paths, args.out, config, max(1, args.jobs), args.regrade, args.canvas_csv)
    except KeyboardInterrupt:
        print(f"interrupted: the rows already in {args.out / 'gradebook.csv'} are kept; run again to resume")
        return 130
    except EnvironmentChanged as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    graded = sum(r["status"] == "graded" for r in rows)
    print(f"{len(rows)} submissions, {graded} graded, {len(rows) - graded} not graded")
    print(f"gradebook: {args.out / 'gradebook.csv'}  summary: {args.out / 'summary.html'}")
    return 0


def _import_tensorflow_quietly():
    """TensorFlow's C++ start-up lines ignore TF_CPP_MIN_LOG_LEVEL; keep them off the terminal."""
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def _grade_one(path, out, config, student=None):
    _import_tensorflow_quietly()
    from .grade import grade_submission
    from .report import write_reports
    from .results import table

    result = grade_submission(path, config)
    write_reports(result, out, config, student)
    print(table(result))
    print(f"results: {out / 'results.json'}  feedback: {out / 'feedback.html'}")
    if result.error:
        print(f"error: {path}: {result.error}", file=sys.stderr)
        return 1
    return 0


def _gradescope(args, config):
    from .gradescope import run
    from .results import table

    print(table(run(config)))
    return 0


def _preflight(args, config):
    from .preflight import preflight

    print(preflight(config, args.out))
    return 0


def _mutants(args, config):
    from .mutants import run_mutants

    return 0 if run_mutants(config, args.out, max(1, args.jobs)) else 1


if __name__ == "__main__":
    sys.exit(main())

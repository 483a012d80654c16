"""Command line: `python -m autograder build|grade ...`."""
import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    parser.add_argument("--config", help="grading config (default: grading_config.yml)")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="solutions/ -> assignments/ + dist/")
    build.add_argument("--check", action="store_true", help="exit 1 if a student notebook is out of date")
    grade = commands.add_parser("grade", help="grade one submission (.ipynb or export zip)")
    grade.add_argument("submission", type=Path)
    grade.add_argument("--out", type=Path, default=Path("dist/results"), help="folder for results.json")
    args = parser.parse_args(argv)

    from .config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as e:
        sys.exit(f"error: {e}")
    return {"build": _build, "grade": _grade}[args.command](args, config)


def _build(args, config):
    from .build import build, stale_notebooks

    if args.check:
        stale = stale_notebooks(config)
        for path in stale:
            print(f"out of date: {path} (run `python -m autograder build`)")
        return 1 if stale else 0
    for path in build(config):
        print(f"built {path}")
    return 0


def _grade(args, config):
    from .grade import grade_submission
    from .results import table, write_results

    result = grade_submission(args.submission, config)
    write_results(result, args.out / "results.json")
    print(table(result))
    print(f"results: {args.out / 'results.json'}")
    if result.error:
        print(f"error: {args.submission}: {result.error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

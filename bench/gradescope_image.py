"""Benchmark: each assignment's Gradescope image, built as Gradescope builds it: its size and setup time.

For each assignment of the course (or those named on the command line), the autograder zip is
unpacked into a tree laid out like /autograder and its setup.sh runs for real,
as root, in a private mount namespace where that tree is /autograder (as tests/lms/test_gradescope.py
does), with pip's cache off (PIP_NO_CACHE_DIR) so that every package is downloaded, as on Gradescope. Prints the
zip's size, setup.sh's wall time and the installed tree's size (the virtual environment, the kit and
the data). Needs root and `unshare`; run it with `make bench-gradescope`.
"""

import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from autograder import ROOT
from autograder.assign.build import build_one
from autograder.assign.gradescope_zip import write_zip
from autograder.config import load_config
from autograder.course import assignment_names


def image(zip_path, folder):
    """(setup seconds, the tree's megabytes) of the image `zip_path` builds."""
    tree = folder / "autograder"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(tree / "source")
    script = f"mkdir -p /autograder && mount --bind {tree} /autograder && bash /autograder/source/setup.sh"
    started = time.monotonic()
    command = ["unshare", "-m", "--propagation", "private", "bash", "-c", script]
    run = subprocess.run(command, capture_output=True, env={**os.environ, "PIP_NO_CACHE_DIR": "1"})
    seconds = time.monotonic() - started
    if run.returncode:
        raise SystemExit(run.stderr.decode()[-3000:])
    size = subprocess.run(["du", "-sm", str(tree)], capture_output=True, text=True, check=True).stdout.split()[0]
    return seconds, int(size)


def main(names):
    """The image of each assignment named (default: every assignment of the course)."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in names or assignment_names():
            config = load_config(assignment=name)
            build_one(config, ROOT, ROOT)
            path = write_zip(config)
            seconds, megabytes = image(path, Path(tmp) / name)
            zipped = path.stat().st_size / 2**20
            print(f"{name:<22} zip {zipped:6.1f} MB  setup.sh {seconds:5.0f} s  image {megabytes} MB", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Benchmark: each assignment's Gradescope image, built as Gradescope builds it: its size and setup time.

For the primer and for a NumPy assignment (the `new` starter, in a copy of the course), the
autograder zip is unpacked into a tree laid out like /autograder and its setup.sh runs for real,
as root, in a private mount namespace where that tree is /autograder (as tests/lms/test_gradescope.py
does), with pip's cache off (PIP_NO_CACHE_DIR) so that every package is downloaded, as on Gradescope. Prints the
zip's size, setup.sh's wall time and the installed tree's size (the virtual environment, the kit and
the data). Needs root and `unshare`; run it with `make bench-gradescope`.
"""

import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from autograder import ROOT
from autograder.assign.build import build_one
from autograder.assign.gradescope_zip import write_zip
from autograder.assign.starter import write_starter
from autograder.config import load_config


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


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        course = tmp / "course"
        shutil.copytree(ROOT / "solutions", course / "solutions")
        write_starter("numpy_starter", course)
        zips = {}
        for name, root in (("deep_learning_primer", ROOT), ("numpy_starter", course)):
            config = load_config(ROOT / "grading_config.yml", root, name)
            build_one(config, root, root)
            zips[name] = write_zip(config)
        for name, path in zips.items():
            seconds, megabytes = image(path, tmp / name)
            zipped = path.stat().st_size / 2**20
            print(f"{name:<22} zip {zipped:6.1f} MB  setup.sh {seconds:5.0f} s  image {megabytes} MB")


if __name__ == "__main__":
    main()

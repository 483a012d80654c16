"""The Gradescope autograder zip: the kit, the assignment, MNIST, and two scripts.

Unlike otter's own zip, setup.sh installs only the kit's pinned packages into a plain
virtual environment (no conda, no browser, no LaTeX) and the zip carries the MNIST
file it grades with, so neither the image build nor grading needs to download data.
"""

import zipfile

from autograder import PACKAGE, ROOT, package_files
from autograder.build.assign import dist_dir, student_path
from autograder.mnist import mnist_path

SETUP_SH = """\
#!/usr/bin/env bash
# Runs once, as root, when Gradescope builds the image. Fails loudly on any error.
set -euxo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
# The pinned packages need Python 3.11 or newer; Ubuntu 22.04's python3 is 3.10.
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  apt-get install -y --no-install-recommends python3-venv python3-pip
  PYTHON=python3
else
  apt-get install -y --no-install-recommends python3.11 python3.11-venv
  PYTHON=python3.11
fi
$PYTHON -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --upgrade pip
# Editable: the kit runs from /autograder/source/kit, where its built tests and template are
# (the grading child starts with `python -I`, so the working directory is not on its path).
/autograder/venv/bin/python -m pip install -e /autograder/source/kit
/autograder/venv/bin/python -c "import autograder.grading.grade, tensorflow"
# Student code runs as `student` (setpriv, util-linux), inside bubblewrap where the container
# allows user namespaces: it may read the grader's copy of MNIST without test labels, not the tests nor
# the kit's files.
apt-get install -y --no-install-recommends bubblewrap util-linux
id -u student >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin student
install -D -m 600 /autograder/source/kit/data/mnist.npz /autograder/data/mnist.npz  # its test labels: root's
chmod -R go-rwx /autograder/source
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Runs for every submission; always leaves /autograder/results/results.json behind.
cd /autograder/source/kit
export MNIST_PATH=/autograder/data/mnist.npz TF_CPP_MIN_LOG_LEVEL=3 MPLBACKEND=Agg
/autograder/venv/bin/python -m autograder gradescope
if [ ! -s /autograder/results/results.json ]; then
  mkdir -p /autograder/results
  echo '{"score": 0, "output": "The autograder could not start: please tell your instructor.", "tests": []}' \\
    > /autograder/results/results.json
fi
"""

KIT_FILES = ["pyproject.toml", "README.md", "grading_config.yml"]


def write_zip(config, root=ROOT):
    """dist/<assignment>/autograder.zip, ready to upload."""
    target = dist_dir(config.assignment, root) / "autograder.zip"
    files = {f"kit/{name}": root / name for name in KIT_FILES}
    files |= {f"kit/autograder/{p.relative_to(PACKAGE)}": p for p in package_files()}
    template = student_path(config.assignment, root)
    files[f"kit/{template.relative_to(root)}"] = template
    for test in sorted((dist_dir(config.assignment, root) / "tests").glob("*.py")):
        files[f"kit/{test.relative_to(root)}"] = test
    files["kit/data/mnist.npz"] = mnist_path(config)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        _add(z, "setup.sh", SETUP_SH)
        _add(z, "run_autograder", RUN_AUTOGRADER)
        for name, path in sorted(files.items()):
            z.write(path, name)
    return target


def _add(z, name, text):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = 0o100755 << 16  # executable, as Gradescope requires
    z.writestr(info, text)

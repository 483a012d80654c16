"""The Gradescope autograder zip of one assignment: the kit, the assignment, its data, and two scripts.

Unlike otter's own zip, setup.sh installs only the kit's pinned packages into a plain
virtual environment (no conda, no browser, no LaTeX) and the zip carries the data files
the assignment grades with (hooks.find_data), so neither the image build nor grading needs
to download data. Its settings travel as values (ASSIGNMENT_FILE), not as the course's config.
"""

import json
import zipfile
from dataclasses import replace
from pathlib import Path

from autograder import PACKAGE, ROOT, hooks, package_files

ASSIGNMENT_FILE = "assignment.json"  # the assignment's settings (config.Config's values), in the kit's folder
DATA = Path("/autograder/data")  # its data files, root's alone

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
/autograder/venv/bin/python -m pip install -e "/autograder/source/kit@EXTRAS@"
# The packages the assignment's master requires (its `requirements:`), where it names any.
if [ -f "/autograder/source/kit/@REQUIREMENTS@" ]; then
  /autograder/venv/bin/python -m pip install -r "/autograder/source/kit/@REQUIREMENTS@"
fi
/autograder/venv/bin/python -c "import autograder.grading.grade@IMPORTS@"
# Student code runs as `student` (setpriv, util-linux), inside bubblewrap where the container
# allows user namespaces: it may read what the assignment gives its kernel, not the tests, the kit's
# files nor the data the grader measures with.
apt-get install -y --no-install-recommends bubblewrap util-linux
id -u student >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin student
mkdir -p -m 700 /autograder/data
if [ -d /autograder/source/kit/data ]; then cp -r /autograder/source/kit/data/. /autograder/data/; fi
chmod -R go-rwx /autograder/source /autograder/data
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Runs for every submission; always leaves /autograder/results/results.json behind.
cd /autograder/source/kit
export TF_CPP_MIN_LOG_LEVEL=3 MPLBACKEND=Agg
/autograder/venv/bin/python -m autograder gradescope
if [ ! -s /autograder/results/results.json ]; then
  mkdir -p /autograder/results
  echo '{"score": 0, "output": "The autograder could not start: please tell your instructor.", "tests": []}' \\
    > /autograder/results/results.json
fi
"""

KIT_FILES = ["pyproject.toml", "README.md"]


def write_zip(config):
    """dist/<assignment>/autograder.zip, ready to upload."""
    root, layout = config.root, config.files
    config = hooks.with_data(config)
    files = {f"kit/{name}": ROOT / name for name in KIT_FILES}  # the kit's, wherever the course is
    files |= {f"kit/autograder/{p.relative_to(PACKAGE)}": p for p in package_files()}
    course = layout.for_grading()
    files |= {f"kit/{p.relative_to(root)}": p for p in course}
    files |= {f"kit/data/{Path(path).name}": Path(path) for path in config.data.values()}
    there = {name: str(DATA / Path(path).name) for name, path in config.data.items()}
    settings = replace(config, data=there, source=ASSIGNMENT_FILE, root=Path("."))
    with zipfile.ZipFile(layout.gradescope_zip, "w", zipfile.ZIP_DEFLATED) as z:
        _add(z, "setup.sh", setup_sh(config))
        _add(z, "run_autograder", RUN_AUTOGRADER)
        _add(z, f"kit/{ASSIGNMENT_FILE}", json.dumps(settings.to_dict(), indent=1, sort_keys=True), 0o644)
        for name, path in sorted(files.items()):
            _add(z, name, path.read_bytes(), 0o644)  # a fixed date: a rebuild of the same files is the same zip
    return layout.gradescope_zip


def setup_sh(config):
    """setup.sh for this assignment: the kit with the extras its grading needs, checked by importing them."""
    extras = hooks.kit_extras(config)
    imports = "".join(f", {module}" for module in hooks.grader_imports(config))
    requirements = config.files.requirements.relative_to(config.root)
    text = SETUP_SH.replace("@EXTRAS@", f"[{','.join(extras)}]" if extras else "").replace("@IMPORTS@", imports)
    return text.replace("@REQUIREMENTS@", str(requirements))


def _add(z, name, text, mode=0o755):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100000 | mode) << 16  # the scripts executable, as Gradescope requires
    z.writestr(info, text)

"""The kit's own cells, which build adds to a master that lacks them: its instructor writes only otter's format.

- the setup cell, after the first Markdown cell (the title and introduction), or after the
  master's own otter init cell: it installs otter where it is missing (Colab), writes the public
  tests into a folder beside the kernel (`pack_public_tests` fills it) and makes the `grader`
  the checks use;
- the Submission section, last: how to hand the notebook in, and a cell that checks the saved
  file and zips it.

A master that has its own (a code cell with `PUBLIC_TESTS = {}`, a cell calling `grader.export(`)
keeps them as they are. otter's own cells (init, check_all, export), which these stand in for,
are turned off; a master that names no kernel (one written by a script) runs in Python 3's.
"""

import json

import nbformat
import yaml

from autograder import master as masters

OTTERS_CELLS = ("init_cell", "check_all_cell", "export_cell")
PYTHON_KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}

SETUP = """\
# Setup: run this cell first. It installs the grading client where it is missing (e.g. Colab)
# and writes this notebook's public tests into a `public_tests` folder, so that the checks work
# wherever the notebook runs (Jupyter, JupyterLab, Colab) and whatever its file is called.
try:
    import otter
except ImportError:
    %pip install -q otter-grader==7.0.0
    import otter
import os

PUBLIC_TESTS = {}  # the build writes the public tests here: {question: test file}
os.makedirs("public_tests", exist_ok=True)
for question, source in PUBLIC_TESTS.items():
    with open(os.path.join("public_tests", f"{question}.py"), "w", encoding="utf-8") as f:
        f.write(source)
grader = otter.Notebook(tests_dir="public_tests")
"""

SUBMISSION_TEXT = """\
---

## Submission

1. Run the whole notebook from a fresh start: *Kernel > Restart Kernel and Run All Cells*
   (on Colab: *Runtime > Restart session and run all*). That is what the autograder does.
2. **Save** it (Ctrl+S / ⌘S, or *File > Save*): the submission is the file as saved.
3. Run the cell below. Submit the **`.ipynb` file** (preferred) or the zip it makes, where your
   instructor asked (Gradescope, say). On Colab, download the notebook with
   *File > Download > Download .ipynb* and submit that file.
"""

SUBMISSION_CODE = """\
# Checks the saved notebook, then zips it for submission (on Colab: says how to download it).
import glob, json, os, re

session = globals().get("__session__") or os.environ.get("JPY_SESSION_NAME") or ""
this = [p for p in (session, os.path.basename(session)) if p.endswith(".ipynb") and os.path.isfile(p)]
mine = [p for p in glob.glob("*.ipynb") if ASSIGNMENT_MARKER in open(p, encoding="utf-8").read()]
if "google.colab" in str(get_ipython()):
    print("📥 On Colab: File > Download > Download .ipynb, then submit that .ipynb file.")
elif not this + mine:
    print("⚠️ There is no saved copy of this notebook here yet: save it (Ctrl+S), then run this cell again.")
else:
    saved = (this or sorted(mine, key=os.path.getmtime)[-1:])[0]
    cells = json.load(open(saved, encoding="utf-8"))["cells"]
    answers = ["".join(c["source"]) for c in cells if "otter_answer_cell" in c["metadata"].get("tags", [])]
    stubs = re.findall(r"not written yet [(]Question ([0-9]+)[)]", "\\n".join(answers))
    if stubs:
        print(f"⚠️ In the saved file, Question(s) {', '.join(sorted(set(stubs), key=int))} are not answered yet. If")
        print("   you have answered them since, save the notebook (Ctrl+S) and run this cell again.")
    packed = os.path.splitext(saved)[0] + ".zip"  # the same zip each run, made anew
    grader.export(saved, export_path=packed, pdf=False, ignore_log=True, display_link=False)
    print(f"📤 Submit {saved} where your instructor asked (or {packed}, the same notebook zipped,")
    print("   if a zip is asked for).")
"""


def with_kit_cells(nb, name):
    """The master `nb` of the assignment `name` with the kit's cells it lacks added, in place."""
    _otters_config(nb, name)
    nb.metadata.setdefault("kernelspec", PYTHON_KERNEL)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    if not any("PUBLIC_TESTS = {}" in s for s in sources):
        intro = next((i + 1 for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), 1)
        # after a master's own `grader = otter.Notebook(...)`, which would read no public tests
        own = [i + 1 for i, c in enumerate(nb.cells) if c.cell_type == "code" and "otter.Notebook(" in c.source]
        setup = nbformat.v4.new_code_cell(SETUP.strip(), metadata={"tags": ["student-only"]})
        nb.cells.insert(max([intro, *own]), setup)
    if not any("grader.export(" in s for s in sources):
        marker = repr(json.dumps(name))  # how a saved copy names its assignment, in otter's metadata
        nb.cells += [
            nbformat.v4.new_markdown_cell(SUBMISSION_TEXT.strip()),
            nbformat.v4.new_code_cell(SUBMISSION_CODE.strip().replace("ASSIGNMENT_MARKER", marker)),
        ]
    return nb


def _otters_config(nb, name):
    """otter's ASSIGNMENT CONFIG (one made where the master has none, as otter's defaults) naming the
    assignment by its file, with otter's init, check_all and export cells turned off."""
    cell = next((c for c in nb.cells if masters.is_assignment_config(c)), None)
    if cell is None:
        cell = nbformat.v4.new_raw_cell("# ASSIGNMENT CONFIG\n")
        nb.cells.insert(0, cell)
    settings = yaml.safe_load(cell.source) or {}
    wanted = {"name": name, **dict.fromkeys(OTTERS_CELLS, False)}
    if any(settings.get(key, True) != value for key, value in wanted.items()):
        settings.update(wanted)
        cell.source = "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(settings, sort_keys=False)

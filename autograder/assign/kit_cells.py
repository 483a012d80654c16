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
from autograder.bridge.weights_file import file_name as weights_file

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
handed_in = []  # files that go with the notebook

session = globals().get("__session__") or os.environ.get("JPY_SESSION_NAME") or ""
this = [p for p in (session, os.path.basename(session)) if p.endswith(".ipynb") and os.path.isfile(p)]
mine = [p for p in glob.glob("*.ipynb") if ASSIGNMENT_MARKER in open(p, encoding="utf-8").read()]
if "google.colab" in str(get_ipython()):
    print("📥 On Colab: File > Download > Download .ipynb, then submit that .ipynb file", *handed_in, sep=" and ")
    for name in handed_in:
        __import__("google.colab.files").colab.files.download(name)
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
    grader.export(saved, export_path=packed, pdf=False, ignore_log=True, display_link=False, files=handed_in)
    if handed_in:
        print(f"📤 Submit {packed} where your instructor asked: your notebook and {', '.join(handed_in)}.")
    else:
        print(f"📤 Submit {saved} where your instructor asked (or {packed}, the same notebook zipped,")
        print("   if a zip is asked for).")
"""

WEIGHTS_TEXT = """
4. **Your trained model goes with it.** The cell also saves the weights of `MODEL` as trained
   in this session (FILE: its numbers only) and puts them in the zip: submit the **zip** and
   the autograder grades the model you trained (on Colab's GPU, say) without training it again.
   On Colab, submit the downloaded .ipynb and FILE together. A notebook without them, or with
   weights that do not fit the model it builds, is trained by the autograder as it is written.
"""

# Written into the Submission cell of an assignment that takes a model's weights (config.weights):
# the names and arrays only (the grader's grading/weights.py reads nothing else).
WEIGHTS_CODE = """\
# Your model's trained weights go with the notebook (its numbers only, no code): the autograder
# then grades the model you trained (on Colab's GPU, say) without training it again. Without them
# it trains the model itself, as your notebook does, which takes minutes.
import numpy as np
WEIGHTS = FILE
trained = globals().get(MODEL)
if np.asarray(getattr(getattr(trained, "optimizer", None), "iterations", 0)) > 0:  # trained in this session
    np.savez(WEIGHTS, **{f"{i:03d}_{w.name}": np.asarray(w) for i, w in enumerate(trained.weights)})
    print(f"💾 The weights of MODEL_TEXT, as trained in this session, are saved in {WEIGHTS}.")
elif os.path.exists(WEIGHTS):
    os.remove(WEIGHTS)  # an earlier session's: not the model this notebook has now
handed_in = [WEIGHTS] if os.path.exists(WEIGHTS) else []
"""


def with_kit_cells(nb, name, weights=None):
    """The master `nb` of the assignment `name` with the kit's cells it lacks added, in place; its
    Submission cell hands in the trained weights of the model `weights` names (config.weights)."""
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
        code, text = SUBMISSION_CODE.replace("ASSIGNMENT_MARKER", marker), SUBMISSION_TEXT
        if weights:
            model, file = weights["model"], weights_file(name)
            own = WEIGHTS_CODE.replace("MODEL_TEXT", model).replace("MODEL", f'"{model}"').replace("FILE", f'"{file}"')
            code = code.replace("handed_in = []  # files that go with the notebook\n", own)
            text += WEIGHTS_TEXT.replace("MODEL", model).replace("FILE", f"`{file}`")
        nb.cells += [
            nbformat.v4.new_markdown_cell(text.strip()),
            nbformat.v4.new_code_cell(code.strip()),
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

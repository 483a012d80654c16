"""Writes the compatibility suite's otter-7 masters, executed, with their wrong answers.

OK-format tests take their expected values from the master's saved outputs, so each master is
executed here (nbclient, in this folder: the CSV is read by a relative path) and saved with its
outputs: `python tests/otter_compat/masters/generate.py` rewrites them all, the same each time.
Beside each master, `<name>.wrong.yml` holds one wrong answer per autograded question, as a
replacement in its solution (the harness makes the submissions from otter's own output).
"""

from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

HERE = Path(__file__).parent


def raw(text):
    return nbformat.v4.new_raw_cell(text)


def fenced(text):
    """The markdown ```otter cell that stands in for a raw cell (Colab, Deepnote)."""
    return nbformat.v4.new_markdown_cell(f"```otter\n{text}\n```")


def md(text):
    return nbformat.v4.new_markdown_cell(text)


def code(text):
    return nbformat.v4.new_code_cell(text)


def question(config, answer, tests, boundary=raw, prompt=None):
    """One question's cells: its config, an optional prompt block, its solution and its tests."""
    cells = [boundary(f"# BEGIN QUESTION\n{config}"), md(f"Question `{yaml.safe_load(config)['name']}`.")]
    if prompt is not None:
        cells += [raw("# BEGIN PROMPT"), prompt, raw("# END PROMPT")]
    cells += [raw("# BEGIN SOLUTION"), answer, raw("# END SOLUTION")]
    if tests:
        cells += [raw("# BEGIN TESTS"), *(code(t) for t in tests), raw("# END TESTS")]
    return [*cells, boundary("# END QUESTION")]


def test_config(test, **config):
    """A test with its TEST CONFIG string on top (points, hidden, messages)."""
    return f'""" # BEGIN TEST CONFIG\n{yaml.safe_dump(config, sort_keys=False)}""" # END TEST CONFIG\n{test}'


NO_PDF = """\
export_cell:
  pdf: false
  run_tests: false
  ignore_log: true
python_version: "3.11"
"""


def assignment(name, *settings):
    """An ASSIGNMENT CONFIG: its name, `settings` (YAML lines), and no PDFs anywhere."""
    return "\n".join([f"# ASSIGNMENT CONFIG\nname: {name}", *settings, NO_PDF])


def ok_raw():
    """Raw-cell config, OK-format tests; points from the question (a number, a list) and from TEST CONFIG."""
    config = assignment("ok_raw", "init_cell: true\ncheck_all_cell: true", "generate:\n  pdf: false")
    cells = [
        raw(config),
        md("# OK-format tests\n\nThree short questions."),
        code("import numpy as np\n\narr = np.array([1.0, 2.0, 3.0, 4.0])"),
        *question(
            "name: mean\npoints: 2", code("mean_val = arr.mean()  # SOLUTION"), ["mean_val", "# HIDDEN\n4 * mean_val"]
        ),
        *question(
            "name: squares\npoints: [1, 2]",
            code("squares = [i ** 2 for i in range(5)]  # SOLUTION"),
            ["len(squares)", "squares"],
        ),
        *question(
            "name: evens",
            code(
                "def evens(n):\n    # BEGIN SOLUTION\n"
                "    return [k for k in range(n) if k % 2 == 0]\n    # END SOLUTION"
            ),
            [
                test_config("evens(5)", points=1, success_message="evens(5) is right", failure_message="look at 0"),
                test_config("evens(10)[-1]", points=3, hidden=True),
            ],
        ),
    ]
    wrong = {"mean": ["arr.mean()", "arr.sum()"], "squares": ["i ** 2", "i * 2"], "evens": ["k % 2 == 0", "k % 2 == 1"]}
    return cells, wrong


def exc_fenced():
    """Markdown ```otter cells, exception tests; all_or_nothing, no points at all, the grading seed."""
    config = assignment("exc_fenced", "tests:\n  ok_format: false", "generate:\n  pdf: false\n  seed: 42")
    clip_tests = [
        "def test_small(clip):\n    assert clip(-1) == 0",
        "def test_middle(clip):\n    assert clip(0.5) == 0.5",
        "# HIDDEN\ndef test_large(clip):\n    assert clip(5) == 1",
    ]
    norm_tests = [
        "def test_three_four(norm):\n    assert norm([3, 4]) == 5",
        test_config("def test_zero(norm):\n    assert norm([0, 0]) == 0", hidden=True),
    ]
    draw_tests = ["def test_draw_is_seeded(draw):\n    assert abs(draw - 0.3745401188473625) < 1e-12, draw"]
    cells = [
        fenced(config),
        md("# Exception tests\n\nWith the cells in markdown."),
        code("import numpy as np"),
        *question(
            "name: clip\npoints: 3\nall_or_nothing: true",
            code("def clip(x):\n    return min(max(x, 0), 1)  # SOLUTION"),
            clip_tests,
            boundary=fenced,
        ),
        *question(
            "name: norm",
            code("def norm(v):\n    return float(np.sqrt(np.sum(np.square(v))))  # SOLUTION"),
            norm_tests,
            boundary=fenced,
        ),
        *question("name: draw\npoints: 1", code("draw = np.random.rand()  # SOLUTION"), draw_tests, boundary=fenced),
    ]
    wrong = {"clip": ["min(max(x, 0), 1)", "max(x, 0)"], "norm": ["np.sqrt(", "("], "draw": ["np.random.rand()", "0.5"]}
    return cells, wrong


def exc_raw():
    """Raw-cell config, exception tests, points on every question (a number, a list), as the kit asks."""
    config = assignment("exc_raw", "init_cell: true\ncheck_all_cell: true\ntests:\n  ok_format: false")
    scale_tests = [
        test_config("def test_doubles(scale):\n    assert scale([1, 2], 2) == [2, 4]", success_message="it doubles"),
        test_config("def test_negative(scale):\n    assert scale([3], -1) == [-3]", hidden=True, failure_message="-1?"),
    ]
    count_tests = [
        "def test_counts(count_words):\n    assert count_words('a b a') == {'a': 2, 'b': 1}",
        "# HIDDEN\ndef test_empty(count_words):\n    assert count_words('') == {}",
    ]
    cells = [
        raw(config),
        md("# Exception tests in raw cells\n\nTwo functions."),
        *question(
            "name: scale\npoints: 2\nall_or_nothing: true",
            code("def scale(values, factor):\n    return [v * factor for v in values]  # SOLUTION"),
            scale_tests,
        ),
        *question(
            "name: count_words\npoints: [1, 2]",
            code(
                "def count_words(text):\n    # BEGIN SOLUTION\n    counts = {}\n    for word in text.split():\n"
                "        counts[word] = counts.get(word, 0) + 1\n    return counts\n    # END SOLUTION"
            ),
            count_tests,
        ),
    ]
    wrong = {"scale": ["v * factor", "v * abs(factor)"], "count_words": ["text.split()", "text.split() or ['']"]}
    return cells, wrong


def manual_seed():
    """A manual question with a markdown prompt, a seed variable, points_possible, TEST CONFIG messages."""
    seed = "seed:\n  variable: rng_seed\n  autograder_value: 42\n  student_value: 7"
    config = assignment("manual_seed", seed, "generate:\n  pdf: false\n  points_possible: 10")
    total_test = test_config("total", success_message="the total is right", failure_message="add them all")
    cells = [
        raw(config),
        md("# Manual and seeded\n\nA written answer, a sum and a die."),
        code("import numpy as np"),
        *question(
            "name: explain\nmanual: true\npoints: 2",
            md("The mean is the sum divided by the count."),
            [],
            prompt=md("_Type your answer here, replacing this text._"),
        ),
        *question("name: total\npoints: 4", code("total = sum([1, 2, 3])  # SOLUTION"), [total_test]),
        *question(
            "name: dice\npoints: 1",
            code("rng_seed = 42\nrng = np.random.default_rng(rng_seed)\nroll = int(rng.integers(1, 7))  # SOLUTION"),
            ["roll", "# HIDDEN\n1 <= roll <= 6"],
        ),
    ]
    wrong = {"total": ["sum([1, 2, 3])", "len([1, 2, 3])"], "dice": ["rng.integers(1, 7)", "rng.integers(7, 9)"]}
    return cells, wrong


def files_reqs():
    """files: a CSV read by a relative path; requirements:; a hidden test by # HIDDEN only."""
    config = assignment("files_reqs", "files:\n  - scores.csv\nrequirements:\n  - pandas")
    cells = [
        raw(config),
        md("# Data from a file\n\n`scores.csv` is beside the notebook."),
        code('import pandas as pd\n\ndf = pd.read_csv("scores.csv")'),
        *question(
            "name: average\npoints: 2",
            code('average = df["score"].mean()  # SOLUTION'),
            ["round(average, 3)", "# HIDDEN\nround(average * len(df), 3)"],
        ),
        *question(
            "name: best\npoints: 1",
            code('best = df.loc[df["score"].idxmax(), "name"]  # SOLUTION'),
            ["best"],
        ),
    ]
    wrong = {"average": [".mean()", ".max()"], "best": ["idxmax()", "idxmin()"]}
    return cells, wrong


SCORES_CSV = "name,score\nada,91\nbob,78\ncyd,85\ndee,64\n"
MASTERS = {
    "ok_raw": ok_raw,
    "exc_raw": exc_raw,
    "exc_fenced": exc_fenced,
    "manual_seed": manual_seed,
    "files_reqs": files_reqs,
}


def write(name, make):
    """Execute the master in this folder and save it with its outputs; its wrong answers beside it."""
    cells, wrong = make()
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, cell in enumerate(nb.cells):
        cell.id = f"{name}-{i}"  # stable ids: the same master each time
    NotebookClient(nb, timeout=60, resources={"metadata": {"path": str(HERE)}}, allow_errors=True).execute()
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, HERE / f"{name}.ipynb")
    (HERE / f"{name}.wrong.yml").write_text(yaml.safe_dump(wrong, sort_keys=False))


def main():
    (HERE / "scores.csv").write_text(SCORES_CSV)
    for name, make in MASTERS.items():
        write(name, make)


if __name__ == "__main__":
    main()

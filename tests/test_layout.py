"""The layout shows the architecture: imports run only downward, and nothing drops out."""

import ast
import zipfile

from autograder import PACKAGE, package_files

# Top to bottom; a module may import its own layer and the layers below it.
LAYERS = [
    "__main__",
    "review",
    "quality",
    "lms",
    "similarity",
    "classroom",
    "grading",
    "assign",
    "reports",
    "bridge",
    "",
]


def _layer(module):
    """The layer of `autograder.x.y`: its subpackage, `__main__`, or "" for the modules at the bottom."""
    parts = module.split(".")[1:]
    first = parts[0] if parts else ""
    return first if first in LAYERS else ""


def _imports():
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(("autograder", *path.relative_to(PACKAGE).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{module}: relative import"
                names = [node.module]
            for name in names:
                if name == "autograder" or name.startswith("autograder."):
                    yield module, name


def test_no_import_runs_upward():
    upward = [(m, n) for m, n in _imports() if LAYERS.index(_layer(n)) < LAYERS.index(_layer(m))]
    assert not upward, upward


def test_the_bridge_kernel_side_imports_nothing_of_the_kit():
    assert not [n for m, n in _imports() if m == "autograder.bridge.kernel_side"]


def test_every_package_file_is_in_the_gradescope_zip(built, config):
    with zipfile.ZipFile(config.files.gradescope_zip) as z:
        zipped = set(z.namelist())
    files = package_files()
    assert {p.name for p in files} >= {"__init__.py", "contract.py", "child.py", "wire.py"}
    assert all(f"kit/autograder/{p.relative_to(PACKAGE)}" in zipped for p in files)

"""Autograded assignment kit for the Deep Learning Primer module.

solutions/ -> build -> assignments/ + dist/;  submissions -> grade -> results/gradebook.
See ARCHITECTURE.md for the flow and one line per module.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def package_files():
    """Every file of the kit's package, subpackages and non-Python files included.

    The Gradescope zip and the tamper guard both take their list from here, so a new
    module or template file can never silently drop out of either.
    """
    return sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)

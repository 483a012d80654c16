"""Undo any change a submission makes to the kit or its Python environment.

Student code runs as the instructor's user, so it could rewrite the grader for the
submissions after it. The guard keeps the kit's files in memory and a fingerprint
(size, time) of every file in site-packages. After every submission it restores kit
files that changed, removes files that appeared in site-packages (start-up hooks such
as `.pth` files included). It cannot tell which of the submissions running at the time
made a change, so it flags every one of them, each when it ends. A changed or deleted
package file cannot be restored from here: the guard then stops the run.
"""

import os
import site
import sysconfig
import threading
from contextlib import contextmanager

from autograder import ROOT, package_files
from autograder.errors import EnvironmentChangedError


def _kit_files(root):
    patterns = ["grading_config.yml", "assignments/*/*.ipynb", "dist/*/tests/*.py"]
    return sorted([*package_files(), *(p for pattern in patterns for p in root.glob(pattern))])


def _packages():
    """(size, mtime) of every file under site-packages, by path."""
    stamps = {}
    for folder in {sysconfig.get_paths()["purelib"], *site.getsitepackages()}:
        for parent, subfolders, names in os.walk(folder):
            subfolders[:] = [d for d in subfolders if d != "__pycache__"]
            for name in names:
                path = os.path.join(parent, name)
                info = os.lstat(path)
                stamps[path] = (info.st_size, info.st_mtime_ns)
    return stamps


class KitGuard:
    def __init__(self, root=ROOT):
        self.root = root
        self.files = {p: p.read_bytes() for p in _kit_files(root)}
        self.packages = _packages()
        self.lock = threading.Lock()
        self.running = set()
        self.suspects = {}  # name -> why, for submissions that were running when a change was found

    @contextmanager
    def watching(self, name):
        """Yields a list that holds a reason after the block if the kit was changed meanwhile."""
        tampered = []
        with self.lock:
            self.running.add(name)
        try:
            yield tampered
        finally:
            with self.lock:
                running = [name, *sorted(self.running - {name})]
                self.running.discard(name)
                changed, broken = self.restore()
                if changed:
                    reason = (
                        f"the grader's files were changed while {', '.join(running)} ran (one of them did it); "
                        f"restored: {', '.join(changed)}"
                    )
                    for suspect in running:
                        self.suspects.setdefault(suspect, reason)
                suspected = self.suspects.pop(name, None)
            if broken:
                raise EnvironmentChangedError(
                    f"grading {', '.join(running)} changed installed packages ({', '.join(broken[:5])}); reinstall "
                    "them (rm -rf .venv && make install) and run again: the rows already graded are kept"
                )
            if suspected:
                tampered.append(suspected)

    def restore(self):
        """Put the kit back as it was; returns (what was restored, package files that changed)."""
        changed = []
        for path, data in self.files.items():
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
                changed.append(str(path.relative_to(self.root)))
        for path in _kit_files(self.root):
            if path not in self.files:
                path.unlink()
                changed.append(str(path.relative_to(self.root)))
        now = _packages()
        for path in now.keys() - self.packages.keys():
            os.remove(path)
            changed.append(path)
        broken = [p for p, stamp in self.packages.items() if now.get(p) != stamp]
        return changed, broken

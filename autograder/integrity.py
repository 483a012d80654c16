"""Undo any change a submission makes to the kit's files while it is graded.

Student code runs as the instructor's user, so it could rewrite the grader for the
submissions after it. The guard keeps the kit's files in memory, checks them after
every submission, restores what changed, removes `.pth` start-up hooks that appeared
in site-packages, and names the submission(s) that were running at the time.
"""
import site
import sysconfig
import threading
from contextlib import contextmanager
from pathlib import Path

from . import ROOT


def _kit_files(root):
    patterns = ["autograder/*.py", "grading_config.yml", "assignments/*/*.ipynb", "dist/*/tests/*.py"]
    return sorted(p for pattern in patterns for p in root.glob(pattern))


def _startup_hooks():
    dirs = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    return {p for d in dirs for p in Path(d).glob("*.pth")} | {p for d in dirs for p in Path(d).glob("*customize.py")}


class KitGuard:
    def __init__(self, root=ROOT):
        self.root = root
        self.files = {p: p.read_bytes() for p in _kit_files(root)}
        self.hooks = _startup_hooks()
        self.lock = threading.Lock()
        self.running = set()

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
                others = sorted(self.running - {name})
                self.running.discard(name)
                changed = self.restore()
            if changed:
                during = f" (also running then: {', '.join(others)})" if others else ""
                tampered.append(f"changed the grader's files, which were restored: {', '.join(changed)}{during}")

    def restore(self):
        """Put every kit file back as it was; returns the paths that had changed."""
        changed = []
        for path, data in self.files.items():
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
                changed.append(str(path.relative_to(self.root)))
        for path in _kit_files(self.root):
            if path not in self.files:
                path.unlink()
                changed.append(str(path.relative_to(self.root)))
        for hook in _startup_hooks() - self.hooks:
            hook.unlink()
            changed.append(str(hook))
        return changed

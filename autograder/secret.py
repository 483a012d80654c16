"""The course's grading secret: the one source of the grader's randomness.

What the grader draws (a hidden test's inputs, the points it measures a network on) must be
the same at every grading, so that a regrade, a `-j` class and Gradescope agree, and unknown
to the student's kernel, which may know the course's seed, the kit's source and every input a
test hands its functions. So each draw comes from its own stream, keyed by a secret that never
reaches a student's file or kernel and mixed with the assignment, the course's seed and the
draw's kind and name: numbers of one stream tell nothing of another's.

The first command that reads the course's config (`build`, say) makes the secret
(`grading_secret` at the course's top, readable by its owner alone, never committed). It
travels with an assignment's settings (`Config.secret`) to the grading child, a cluster's
workers and the Gradescope zip, which students never see. A new term: delete the file and build again.
"""

import hashlib
import os
import secrets
from pathlib import Path

import numpy as np

FILE = "grading_secret"


def path(root):
    return Path(root) / FILE


def read(root):
    """The course's secret, or "" if it has none (or it cannot be read here)."""
    try:
        return path(root).read_text().strip()
    except OSError:
        return ""


def ensure(root):
    """The course's secret, made now if it has none (32 random bytes, the file its owner's alone);
    "" where it can be neither read nor made (a course folder this user may only read)."""
    if not read(root):
        try:
            fd = os.open(path(root), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError:  # another command made it meanwhile, or the folder is not ours to write
            return read(root)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    return read(root)


def stream(secret, *parts):
    """A NumPy generator keyed by `secret` and `parts` (strings and numbers): the same for the same
    both, and unrelated to any other's without the secret."""
    key = hashlib.sha256(secret.encode()).digest()
    digest = hashlib.blake2b("\0".join(map(str, parts)).encode(), key=key, digest_size=32).digest()
    return np.random.default_rng(int.from_bytes(digest, "big"))

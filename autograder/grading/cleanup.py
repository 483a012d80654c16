"""Remove what a grading leaves behind, whatever a student's code made of it.

A kernel may leave anything in the folders it can write: a chain of 5,000 nested folders
(shutil.rmtree recurses on Python's stack and fails with RecursionError), a million files,
folders without permissions, FIFOs, sockets, links to the grader's own files. So removal is
coreutils' `chmod -R` and `rm -rf`, which walk a tree without recursion and never follow a
link; when the grader is root they run as the student's own user first, so that root never
acts through a path a student could change (root then removes only its own, emptied,
folders). Removal is bounded in time: a tree that cannot be removed is a reason for the
caller to record, never an exception that stops a class.
"""

import os
import subprocess
import time

REMOVE_SECONDS = 120
RM, CHMOD = "/bin/rm", "/bin/chmod"  # by their path: the grader's PATH may hold anything, or nothing


def remove(path, user_argv=(), timeout=REMOVE_SECONDS):
    """Remove the folder `path`: first through `user_argv` (the student's user: sandbox.drop_to),
    then as ourselves; None once it is gone, else why it is not, in a few words."""
    deadline = time.monotonic() + timeout
    path = os.fspath(path)
    rm = [RM, "-rf", "--", path]
    as_student = [[*user_argv, CHMOD, "-R", "u+rwx", "--", path], [*user_argv, *rm]]  # a locked folder opened
    as_grader = [rm] if user_argv else []  # root's own folders, emptied
    for command in as_student + as_grader:
        try:
            subprocess.run(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=max(0, deadline - time.monotonic()),
            )
        except subprocess.TimeoutExpired:
            return f"what the grading left in {path} could not be removed within {timeout:g} s"
    if os.path.lexists(path):
        return f"what the grading left in {path} could not be removed"
    return None

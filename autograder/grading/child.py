"""The grading child: the kit's own entry point for grading one submission in a watched process.

    python -I -m autograder.grading.child REQUEST.json

The request names the config and the folder of the built assignment, the sandbox, where to
write the result, when the parent started the child (time.time()) and the pipe to say it is
ready on. The child deletes the request once read, gets ready (the kit and TensorFlow
imported, a kernel started and set up: grade.Kernels) unless its submission is already there,
says so on that pipe, then reads the submission from stdin, one JSON line: the path, when it
was handed over (time.time()) and, for a question-only regrade, the questions. So the
parent can start a child before it has a submission for it and hand it one once it is ready
(isolate.Spares), and one started for a submission rejects a broken file without starting a
kernel. The child grades in this process (grade.py), writes the `GradeResult` as JSON to a
new file at the result path (never through a link, never over a planted file) and exits with
a `ChildExit` code. The parent (isolate.py) believes the result only with that code; anything
else is a crash.
"""

import ctypes
import json
import os
import select
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from autograder.config import load_config
from autograder.contract import ChildExit
from autograder.errors import KitError
from autograder.phases import recording

WAITED = "getting ready, after the hand-over"


def write_new(path, data):
    """Write JSON to a file that must not exist yet (O_EXCL) and must not be a link (O_NOFOLLOW)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, ensure_ascii=False)


def die_with_parent():
    """Linux's PR_SET_PDEATHSIG: if the parent is killed outright, this child (and so its sandbox) dies too."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the parent's own clean-up is all there is
        pass


def main(request_path):
    die_with_parent()
    request_path = Path(request_path)
    request = json.loads(request_path.read_text())
    request_path.unlink()
    result_path = Path(request["result"])
    try:
        from autograder.grading.grade import Kernels, grade_submission
        from autograder.grading.sandbox import Sandbox

        config = load_config(request["config"], request["root"])
        ahead, phases = {"start": round(time.time() - request["started"], 2)}, {}  # start: Python, imports, config
        with ExitStack() as ready:
            kernels = ready.enter_context(Kernels(config, Sandbox.from_dict(request["sandbox"])))
            if not select.select([sys.stdin], [], [], 0)[0]:  # no submission yet: get ready while waiting
                with recording(ahead):
                    kernels.warm()
            ready = time.time()
            os.write(request["ready_fd"], b"ready\n")  # the parent hands submissions to ready children first
            os.close(request["ready_fd"])
            job = json.loads(sys.stdin.readline())  # blocks until the parent has a submission for this child
            if ready > job["handed"]:  # handed over while still getting ready: the submission waited
                phases[WAITED] = round(ready - job["handed"], 2)
            with recording(phases):
                result = grade_submission(job["submission"], config, kernels, job.get("questions"))
        result.measurements |= {"phases": phases, "phases_ahead": ahead}
    except KitError as e:
        write_new(result_path, {"kit_error": str(e)})
        return ChildExit.KIT_ERROR
    write_new(result_path, result.to_dict())
    return ChildExit.RESULT_WRITTEN


if __name__ == "__main__":
    code = main(sys.argv[1])
    sys.stdout.flush()
    os._exit(code)  # the result is written and the kernel gone: skip TensorFlow's slow teardown

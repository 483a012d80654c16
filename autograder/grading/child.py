"""The grading child: the kit's own entry point for grading submissions in a watched process.

    python -I -m autograder.grading.child REQUEST.json

The request holds the assignment's settings (config.Config's values, its course folder among
them: never a file to read again), the sandbox, where to write a kit error, when the parent
started the child (time.time()) and the pipe to signal on. The child deletes the request once
read, imports the kit and what the assignment's tests need once,
then grades submissions one at a time, each in a fresh sandboxed kernel (grade.Kernels):

1. it gets ready, its kernel started and set up, unless a submission is already waiting;
2. it signals READY on the pipe, then reads a submission from stdin, one JSON line: the
   path, where to write its result, when it was handed over (time.time()) and, for a
   question-only regrade, the questions; at the end of stdin it exits (`ChildExit.DONE`);
3. it grades the submission, writes the `GradeResult` as JSON to a new file at the path the
   line named (never through a link, never over a planted file), and signals GRADED;
4. it waits for the parent's go-ahead, an empty line (the parent ends every process of the
   grading first), or the end of stdin.

So the parent can start a child before it has a submission for it, hand it one once it is
ready (isolate.Spares), and hand it the next one after that: the imports are paid once, the
kernel once per submission. The parent believes a result only after GRADED; a child that
exits otherwise, or is stopped at a limit, has crashed, unless it exits with
`ChildExit.KIT_ERROR` and the reason in the kit error file.
"""

import ctypes
import gc
import json
import os
import select
import signal
import sys
import time
from pathlib import Path

from autograder import secret
from autograder.config import Config
from autograder.contract import ChildExit, ChildJob, ChildRequest
from autograder.errors import BuildMissingError, KitError
from autograder.phases import recording

WAITED = "getting ready, after the hand-over"
READY, GRADED = b"r", b"g"  # the signals, one byte each; the pipe's end (EOF) means the child is gone


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
    request = ChildRequest.from_json(request_path.read_text())
    request_path.unlink()
    try:
        from autograder import hooks
        from autograder.grading.grade import Kernels, grade_submission
        from autograder.grading.sandbox import Sandbox

        config = hooks.with_data(Config.from_dict(request.config))
        if not config.secret:  # the hidden tests' inputs would be guessable: grade nothing
            raise BuildMissingError.for_path(secret.path(config.root))
        hooks.module_of(config)  # its hidden tests import it by the assignment's name
        sandbox = Sandbox.from_dict(request.sandbox)
        ahead = {"start": round(time.time() - request.started, 2)}  # Python, the imports, the config
        while True:
            with Kernels(config, sandbox) as kernels:
                if not select.select([sys.stdin], [], [], 0)[0]:  # no submission yet: get ready while waiting
                    with recording(ahead):
                        kernels.warm()
                ready = time.time()
                os.write(request.signals, READY)
                line = sys.stdin.readline()  # blocks until the parent has a submission for this child
                if not line:
                    return ChildExit.DONE
                job, phases = ChildJob.from_line(line), {}
                if ready > job.handed:  # handed over while still getting ready: the submission waited
                    phases[WAITED] = round(ready - job.handed, 2)
                with recording(phases):
                    result = grade_submission(job.submission, config, kernels, job.questions)
            result.measurements |= {"phases": phases, "phases_ahead": ahead}
            write_new(job.result, result.to_dict())
            os.write(request.signals, GRADED)
            ahead = {}
            forget_models()
            if not sys.stdin.readline():  # the go-ahead, once the parent ended what the grading left
                return ChildExit.DONE
    except KitError as e:
        write_new(request.kit_error, {"kit_error": str(e)})
        return ChildExit.KIT_ERROR


def forget_models():
    """Free what the last grading's rebuilt models hold, before the next submission (Keras's global state)."""
    if "keras" in sys.modules:
        sys.modules["keras"].backend.clear_session()
    gc.collect()


if __name__ == "__main__":
    code = main(sys.argv[1])
    sys.stdout.flush()
    os._exit(code)  # every result is written and the kernel gone: skip TensorFlow's slow teardown

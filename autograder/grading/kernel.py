"""Run a notebook in a fresh `python3` kernel and keep the kernel for the tests.

nbclient executes the cells (a stuck cell is interrupted after the configured time and
grading goes on with the next); the kernel then stays up so that tests can call the
student's functions through the bridge (bridge/kernel_side.serve). A kernel that dies
becomes a record (`crashed_at`, `dead`) here, in one place, never an exception upward.
"""

import json
import os
import pwd
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import dill
import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from traitlets import default

from autograder.bridge import kernel_side
from autograder.bridge.grader_side import read_reply
from autograder.contract import CellError
from autograder.errors import StudentError

BRIDGE = Path(kernel_side.__file__).read_text()

MAX_REPLY_BYTES = 512 * 1024 * 1024
_TIMEOUT = {"ename": "TimeoutError", "evalue": "the cell ran longer than the time limit and was stopped"}


def _manager_with_spec(jupyter_dir):
    """A KernelManager that looks for kernel specs in `jupyter_dir` only."""

    class Manager(KernelManager):
        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self):
            return KernelSpecManager(kernel_dirs=[str(jupyter_dir / "kernels")])

    return Manager


class _BoundedClient(NotebookClient):
    """nbclient that keeps at most `max_output_bytes` of output per cell (a cell may print forever).

    `output` is not one of nbclient's hooks but the method every output message goes
    through (nbclient 0.11.0, pinned in pyproject.toml): recheck it when the pin moves.
    """

    def __init__(self, nb, max_output_bytes, **kwargs):
        super().__init__(nb, **kwargs)
        self.max_output_bytes, self.output_bytes = max_output_bytes, {}

    def output(self, outs, msg, display_id, cell_index):
        size = self.output_bytes.get(cell_index, 0) + len(str(msg["content"]))
        self.output_bytes[cell_index] = size
        if size <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if not any(o.get("name") == "kit-truncated" for o in outs):
            outs.append(
                nbformat.v4.new_output("stream", name="kit-truncated", text="[output truncated by the grader]\n")
            )
        return None


class GradingKernel:
    """`workdir` holds the grader's files; the kernel runs in its `home` subfolder.

    Only the grader writes in `workdir` itself, so a student's kernel (which may run as
    another user, see run_as_user.py) cannot plant links where the grader writes.
    """

    def __init__(self, nb, workdir, config, env):
        self.workdir, self.config, self.env = workdir, config, env
        self.home = workdir / "home"
        self.home.mkdir()
        self.dead, self.crashed_at = None, None
        self.cells = len(nb.cells)  # the notebook's own; the bridge appends its cells after these
        self.client = _BoundedClient(
            nb,
            config.max_output_bytes,
            kernel_name="python3",
            timeout=config.cell_timeout_seconds,
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout=_TIMEOUT,
            record_timing=False,
            resources={"metadata": {"path": str(self.home)}},
        )

    @contextmanager
    def running(self):
        env = {**os.environ, **self.env}
        user = os.environ.get("KIT_KERNEL_USER")
        if user:
            self._run_kernel_as(user)
        # The kernel's own stderr (TensorFlow's start-up chatter) is not the student's output.
        with self.client.setup_kernel(env=env, cwd=str(self.home), stderr=subprocess.DEVNULL):
            yield self

    def _run_kernel_as(self, user):
        """A `python3` kernel spec that starts the kernel through run_as_user.py as `user`."""
        spec = self.workdir / ".kit-kernels" / "kernels" / "python3"
        spec.mkdir(parents=True)
        argv = [sys.executable, "-m", "autograder.grading.run_as_user", user, "{connection_file}"]
        (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
        self.client.kernel_manager_class = _manager_with_spec(spec.parent.parent)
        account = pwd.getpwnam(user)
        self.workdir.chmod(0o755)
        os.chown(self.home, account.pw_uid, account.pw_gid)

    def run_notebook(self) -> list[CellError]:
        """Execute every cell; returns the errors the cells raised."""
        errors = []
        for index, cell in enumerate(self.client.nb.cells):
            if cell.cell_type != "code":
                continue
            if not self._execute(cell, index):
                self.crashed_at = index
                break
            errors += [CellError(index, o.ename, o.evalue) for o in cell.outputs if o.output_type == "error"]
        return errors

    def _execute(self, cell, index, **kwargs):
        """Run one cell; False if the kernel died (then `dead` says so)."""
        try:
            self.client.execute_cell(cell, index, **kwargs)
            return True
        except DeadKernelError:
            self.dead = "the student's kernel died" + ("" if index < self.cells else " while a test called its code")
            return False

    def ask(self, request):
        """Send one request to the bridge in the kernel; returns (reply, arrays)."""
        if self.dead:
            raise StudentError(self.dead)
        request_path, reply_path = self.workdir / "request.pkl", self.home / ".kit-reply.npz"
        reply_path.unlink(missing_ok=True)
        with open(request_path, "wb") as f:
            dill.dump(request, f, recurse=True)
        request_path.chmod(0o644)  # readable by a kernel that runs as another user
        call = f"\nserve({str(request_path)!r}, {str(reply_path)!r})\n"
        cell = nbformat.v4.new_code_cell(f"exec({BRIDGE + call!r}, {{}})")
        self.client.timeout = self.config.call_timeout_seconds
        self.client.nb.cells.append(cell)  # nbclient executes cells of its notebook only
        try:
            alive = self._execute(cell, len(self.client.nb.cells) - 1, store_history=False)
        finally:
            self.client.nb.cells.pop()
            request_path.unlink(missing_ok=True)
        if not alive:
            raise StudentError(self.dead)
        if not reply_path.exists():
            errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
            raise StudentError("; ".join(errors) or "the kernel gave no answer")
        return read_reply(reply_path, MAX_REPLY_BYTES)

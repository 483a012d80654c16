"""Run a notebook in a fresh `python3` kernel and keep the kernel for the tests.

nbclient executes the cells (a stuck cell is interrupted after the configured time and
grading goes on with the next); the kernel then stays up so that tests can call the
student's functions through the bridge (bridge/kernel_side.serve). A kernel that dies
becomes a record (`crashed_at`, `dead`) here, in one place, never an exception upward.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import dill
import nbformat
import psutil
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from autograder.bridge import kernel_side
from autograder.bridge.channel import Channel, Lost, TimedOut
from autograder.bridge.grader_side import decode_reply
from autograder.contract import CellError
from autograder.errors import KitError, StudentError
from autograder.grading.sandbox import write_identity
from autograder.phases import phase

BRIDGE = Path(kernel_side.__file__)

MAX_REPLY_BYTES = 256 * 2**20
# Variables of the grader's environment the kernel gets too: threads, TensorFlow's oneDNN switch,
# and OpenBLAS's settings for processors where an old OpenBLAS computes wrong results.
PASSED_ENV = (
    "TF_NUM_INTRAOP_THREADS",
    "TF_ENABLE_ONEDNN_OPTS",
    "TF_NUM_INTEROP_THREADS",
    "OMP_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "LANG",
)
_TIMEOUT = {"ename": "TimeoutError", "evalue": "the cell ran longer than the time limit and was stopped"}


class _Manager(AsyncKernelManager):
    """A kernel manager whose connection file the kernel's own user (maybe not ours) can read.

    In bubblewrap the kernel's sockets are in a folder held in the sandbox's memory, which no
    one outside can write to: the grader reaches them through the sandbox's root as the kernel
    sees it (/proc/PID/root), once the kernel is launched.
    """

    through_sandbox = False

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        Path(self.connection_file).chmod(0o644)

    async def _async_post_start_kernel(self, **kw):
        if self.through_sandbox:
            self.ip = f"/proc/{_sandboxed(self.provisioner.process.pid)}/root{self.ip}"
        await super()._async_post_start_kernel(**kw)


def _sandboxed(pid, timeout=30):
    """The first process bwrap (`pid`) starts inside the sandbox: it lives as long as the sandbox."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            children = psutil.Process(pid).children()
        except psutil.NoSuchProcess:
            break
        if children:
            return children[0].pid
        time.sleep(0.005)
    raise KitError("bubblewrap started no sandbox: `python -m autograder doctor` says why")


@dataclass(frozen=True)
class Folders:
    """The kernel's folders: `home` and `ipc` it may write; `inbox` (its identity, the bridge's code) and
    `listen` (the bridge's socket) only the grader writes, so nothing the grader acts on there can be swapped."""

    root: Path
    ipc: Path  # the kernel's sockets: a short path, as a socket's name is at most 107 bytes
    listen: Path  # the grader's socket, which the kernel connects to: short too
    data: tuple = ()  # files the kernel reads where the grader has them (hooks.kernel_data)

    @property
    def home(self):
        return self.root / "home"

    @property
    def inbox(self):
        return self.root / "in"

    @property
    def bridge(self):
        return self.inbox / "bridge.py"

    @property
    def files(self):
        """The assignment's files (course.Assignment.files), which the kernel's setup copies into its HOME."""
        return self.inbox / "files"

    @property
    def passwd(self):
        return self.inbox / "passwd"

    @property
    def group(self):
        return self.inbox / "group"

    @property
    def writable(self):
        return [self.home, self.ipc]

    @property
    def read_only(self):
        return [self.inbox, self.listen, *self.data]


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
    """`workdir` holds the grader's files; the kernel sees only its Folders, inside the sandbox.

    The kernel's command is the sandbox's (sandbox.py); its environment is built here from
    nothing, so none of the instructor's variables reach student code.
    """

    def __init__(self, workdir, config, env, sandbox, data=None):
        self.workdir, self.config, self.sandbox = workdir, config, sandbox
        ipc, listen = (Path(tempfile.mkdtemp(prefix=p, dir=sandbox.sockets)) for p in ("ipc-", "bridge-"))
        listen.chmod(0o711)  # the kernel's user may reach the socket in it, not list or change the folder
        data = data or {}  # {environment variable: a file the kernel may read}, read-only
        self.folders = Folders(workdir, ipc, listen, tuple(Path(p) for p in data.values()))
        for folder in (self.folders.home, self.folders.inbox):
            folder.mkdir()
        if config.files.files.is_dir():  # the data the notebook reads by relative paths: set_up copies it home
            shutil.copytree(config.files.files, self.folders.files)
        # The bridge's cell runs it from here: the kernel may not be able to read the kit's own files.
        shutil.copyfile(BRIDGE, self.folders.bridge)
        self.folders.bridge.chmod(0o644)  # readable by a kernel that runs as another user
        self.home = self.folders.home
        self.env = self._environment({**env, **data})
        self.dead, self.crashed_at, self.channel, self.bridges = None, None, None, 0
        self.left_behind = []  # why a folder the kernel could write is still there after it stopped
        self.cells = 0  # the notebook's own; the bridge appends its cells after these
        self.errors = []
        self.client = _BoundedClient(
            nbformat.v4.new_notebook(),
            config.max_output_bytes,
            kernel_name="python3",
            timeout=config.cell_timeout_seconds,
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout=_TIMEOUT,
            on_cell_error=self._record_error,
            record_timing=False,
            shutdown_kernel="immediate",  # the sandbox is thrown away: nothing in it to shut down gracefully
            resources={"metadata": {"path": str(self.home)}},
        )

    def _environment(self, env):
        python_bin = str(Path(sys.executable).absolute().parent)
        scratch = "/tmp" if self.sandbox.bwrap else str(self.home)
        passed = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
        return {**passed, "HOME": str(self.home), "TMPDIR": scratch, "PATH": f"{python_bin}:/usr/bin:/bin", **env}

    @contextmanager
    def running(self):
        self.client.km = self._manager()
        self.sandbox.kill_leftovers()
        try:
            with ExitStack() as kernel:
                with phase("kernel start"):
                    # The kernel's own stderr (TensorFlow's start-up chatter) is not the student's output.
                    kernel.enter_context(
                        self.client.setup_kernel(env=self.env, cwd=str(self.home), stderr=subprocess.DEVNULL)
                    )
                yield self
                self.end_bridge()
                with phase("kernel stop"):
                    kernel.close()
        finally:  # every process of the student's ended first: nothing writes while its folders are removed
            self.sandbox.kill_leftovers()
            folders = [*self.folders.writable, self.folders.listen]
            self.left_behind = [why for folder in folders if (why := self.sandbox.remove(folder))]

    def _manager(self):
        """A kernel started by the sandbox's command, reached through sockets in its `ipc` folder."""
        folders = self.folders
        if self.sandbox.bwrap:
            write_identity(folders, self.home)
        argv = self.sandbox.kernel_argv(sys.executable, folders, self.env, self.config)
        spec = self.workdir / "spec" / "kernels" / "python3"
        spec.mkdir(parents=True)
        kernel = {"argv": argv, "display_name": "Python 3", "language": "python", "interrupt_mode": "message"}
        (spec / "kernel.json").write_text(json.dumps(kernel))
        self.workdir.chmod(0o755)  # a kernel running as another user must reach its folders
        self.sandbox.own(*folders.writable)
        manager = _Manager(
            kernel_name="python3",
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec.parent)]),
            transport="ipc",
            ip=str(folders.ipc / "kernel"),
            connection_file=str(folders.inbox / "connection.json"),
        )
        manager.through_sandbox = bool(self.sandbox.bwrap)
        return manager

    def set_up(self, source):
        """Run the grader's own cell, before any notebook: its failure is the kit's, not a student's."""
        if self.folders.files.is_dir():  # HOME is the sandbox's own (a tmpfs): the files are copied in from inside
            copy = f"__import__('shutil').copytree({str(self.folders.files)!r}, '.', dirs_exist_ok=True)"
            source = f"{copy}\n{source}"
        cell = nbformat.v4.new_code_cell(source)
        self.client.nb = nbformat.v4.new_notebook(cells=[cell])
        self.client.timeout = None  # not a student's cell: the parent's limit for the whole grading bounds it
        with phase("grader setup cell"):
            alive = self._execute(cell, 0)
        failed = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        if not alive or failed:
            why = "; ".join(failed) or "the kernel died"
            raise KitError(f"the grader's setup cell failed in a fresh kernel: {why}")

    def run_notebook(self, nb, stand_in=None) -> list[CellError]:
        """Execute every cell of `nb` but those `stand_in(kernel, cell)` stands in for (it returns True
        where it did what the cell would: the grader loading a model's weights); returns the errors
        the cells raised."""
        self.client.nb, self.cells, self.client.timeout = nb, len(nb.cells), self.config.cell_timeout_seconds
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or (stand_in is not None and stand_in(self, cell)):
                continue
            with phase("notebook cells"):
                alive = self._execute(cell, index)
            if not alive:
                self.crashed_at = index
                break
        return list(self.errors)

    def _record_error(self, cell, cell_index, execute_reply):
        """nbclient's hook for a cell's error, from its reply: the error output may be lost (a busy kernel's
        late output, a cell's output past the limit), the reply (TimeoutError for a stopped cell) is not."""
        if cell_index < self.cells:
            reply = execute_reply["content"]
            self.errors.append(CellError(cell_index, reply.get("ename", "Error"), reply.get("evalue", "")))

    def _execute(self, cell, index):
        """Run one cell; False if the kernel died (then `dead` says so)."""
        try:
            self.client.execute_cell(cell, index)
            return True
        except DeadKernelError:
            self.dead = "the student's kernel died"
            return False

    @phase("bridge")
    def ask(self, request):
        """Send one request to the bridge in the kernel; returns (reply, arrays)."""
        if self.dead:
            raise StudentError(self.dead)
        limit = self.config.call_timeout_seconds
        data = dill.dumps({**request, "max_bytes": MAX_REPLY_BYTES}, recurse=True)
        try:
            return decode_reply(self._bridge().ask(data, limit, self._interrupt, MAX_REPLY_BYTES), MAX_REPLY_BYTES)
        except TimedOut:
            why = f"TimeoutError: the call ran longer than the time limit ({limit:g} s) and was stopped"
            raise StudentError(why) from None
        except Lost as e:
            self.dead = str(e)
            raise StudentError(self.dead) from None

    def end_bridge(self):
        """End the bridge's cell, so that the notebook's next cell runs (the next request starts it again)."""
        if self.channel is not None:
            self.channel.close()
            self.channel = None

    def _bridge(self):
        """The channel to the bridge's cell, started at the first request: it serves them all."""
        if self.channel is None:
            self.bridges += 1
            path = self.folders.listen / f"bridge-{self.bridges}"
            self.channel = Channel(path)
            self.sandbox.let_connect(path)  # a kernel running as another user must be able to connect
            call = f"\nserve({str(path)!r})\n"
            source = f"exec(open({str(self.folders.bridge)!r}).read() + {call!r}, {{}})"
            self.client.kc.execute(source, store_history=False)  # its reply comes when the channel closes
            self.channel.accept(self.config.call_timeout_seconds)
        return self.channel

    def _interrupt(self):
        run_sync(self.client.km.interrupt_kernel)()

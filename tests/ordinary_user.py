"""An instructor who is not root: a user made for the test, with the kit installed as they would.

CI runs as root, where no sandbox is needed to keep a grader safe from itself, so the
rootless path (bubblewrap through user namespaces) is tested as this user: the working
tree copied into their home, `make install` and a build run as them, then grading.
"""

import os
import pwd
import shutil
import subprocess
from pathlib import Path

import psutil

from autograder import ROOT

USER = "kitinstructor"


def ensure_user():
    """The user (created if missing) and their home folder; the system Python able to make their venv."""
    if subprocess.run(["/usr/bin/python3", "-m", "ensurepip", "--version"], capture_output=True).returncode != 0:
        subprocess.run("apt-get update -qq && apt-get install -y -qq python3-venv", shell=True, check=True)
    try:
        account = pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", USER], check=True)
        account = pwd.getpwnam(USER)
    return account, Path(account.pw_dir)


def as_user(command, cwd, timeout, env=None):
    """Run a shell command as the user, with an environment of their own (nothing of root's)."""
    passed = {k: v for k, v in os.environ.items() if k.startswith(("PIP_", "OPENBLAS_"))}
    home = pwd.getpwnam(USER).pw_dir
    environment = {**passed, "HOME": home, "PATH": "/usr/local/bin:/usr/bin:/bin", **(env or {})}
    return subprocess.run(
        [
            "runuser",
            "-u",
            USER,
            "--",
            "env",
            "-i",
            *(f"{k}={v}" for k, v in environment.items()),
            "bash",
            "-c",
            command,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def install_kit(home, mnist):
    """The working tree (tracked and new files) in the user's home, installed and built as the user."""
    kit = home / "kit"
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    venv = kit / ".venv"
    kept = home / "venv-kept"
    if venv.exists():  # keep the user's environment between runs: reinstalling costs a minute
        shutil.rmtree(kept, ignore_errors=True)
        venv.rename(kept)
    shutil.rmtree(kit, ignore_errors=True)
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (kit / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, kit / name)
    shutil.copy(mnist, home / "mnist.npz")
    account = pwd.getpwnam(USER)
    for path in [home / "mnist.npz", kit, *kit.rglob("*")]:
        os.lchown(path, account.pw_uid, account.pw_gid)
    if kept.exists():
        kept.rename(venv)
    run = as_user(
        "make install PYTHON=/usr/bin/python3 && .venv/bin/python -m autograder build",
        kit,
        timeout=1200,
        env={"MNIST_PATH": str(home / "mnist.npz")},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return kit


def user_processes(uid):
    """The user's processes still running (a grading that is over must leave none; a zombie runs nothing)."""
    processes = psutil.process_iter(["pid", "cmdline", "uids", "status"])
    return [
        p.info
        for p in processes
        if p.info["uids"] and p.info["uids"].real == uid and p.info["status"] != psutil.STATUS_ZOMBIE
    ]

"""Removing what a grading leaves: whatever a student made, without recursion, links followed or a stop."""

import os
import socket
import subprocess

import pytest

from autograder.grading.cleanup import remove
from autograder.grading.sandbox import drop_to
from tests.ordinary_user import USER, ensure_user


def litter(root, depth=5000):
    """A chain deeper than Python's recursion limit, a locked folder, a FIFO, a socket, a link out."""
    root.mkdir()
    fd = os.open(root, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        fd, parent = os.open("d", os.O_RDONLY, dir_fd=fd), fd
        os.close(parent)
    os.close(fd)
    os.mkfifo(root / "fifo")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(root / "socket"))
    (root / "locked" / "inner").mkdir(parents=True)
    (root / "locked" / "inner" / "file").write_text("x")
    for folder in (root / "locked" / "inner", root / "locked"):
        folder.chmod(0)
    return root


@pytest.fixture(autouse=True)
def no_deep_tree_left(tmp_path):
    """Whatever a failed test leaves goes too: pytest's own clean-up of old folders recurses."""
    yield
    subprocess.run(["rm", "-rf", str(tmp_path)], check=False)


def test_a_tree_python_cannot_remove_is_removed_and_no_link_is_followed(tmp_path):
    outside = tmp_path / "the grader's file"
    outside.write_text("keep")
    root = litter(tmp_path / "home")
    (root / "link").symlink_to(outside)
    assert remove(root) is None
    assert not root.exists() and outside.read_text() == "keep"


def test_a_removal_past_its_time_is_a_reason_not_an_error(tmp_path):
    root = litter(tmp_path / "home", depth=100)
    why = remove(root, timeout=0)
    assert "could not be removed within 0 s" in why


@pytest.mark.skipif(os.geteuid() != 0, reason="root removes as the student: needs root")
def test_root_removes_as_the_student_then_only_its_own_emptied_folders(tmp_path):
    account, _home = ensure_user()
    tmp_path.chmod(0o755)
    root = litter(tmp_path / "home")
    (root / "link").symlink_to("/etc")
    owner = f"{account.pw_uid}:{account.pw_gid}"  # the student's own files, as a kernel leaves them
    subprocess.run(["chown", "-R", "--no-dereference", owner, root], check=True)
    assert remove(root, drop_to(USER)) is None
    assert not root.exists() and os.path.isdir("/etc")

"""The grader's end of the bridge's socket: a request out, its reply back, within a time limit.

The bridge's cell in the kernel (kernel_side.serve) connects once and answers requests in
turn, so a test's call costs a socket round trip (about 1 ms) where a notebook cell of its
own cost about 10 ms, and a grading asks about 100 times. Whatever arrives here comes from
the student's kernel: a reply is bounded in size and in time, and a kernel that stops
answering makes the channel `Lost`, never a grader that waits for ever. wire.py documents
the frames.
"""

import select
import socket
import time

from autograder.bridge.wire import FRAME_HEADER

INTERRUPT_GRACE_SECONDS = 5  # for an interrupted call's reply, before its kernel counts as lost


class Lost(Exception):
    """The kernel died, or no longer answers: it can be asked nothing more."""


class TimedOut(Exception):
    """The call ran past its time limit and was interrupted; the kernel answers again."""


class Channel:
    """A socket at `path` that one kernel connects to (`accept`), then asked in turn (`ask`)."""

    def __init__(self, path):
        self._listener = socket.socket(socket.AF_UNIX)
        self._listener.bind(str(path))
        self._listener.listen(1)
        self._connection = None

    def accept(self, timeout):
        if not select.select([self._listener], [], [], timeout)[0]:
            raise Lost("the student's kernel did not answer the grader: is one of its cells still running?")
        self._connection, _ = self._listener.accept()
        self._listener.close()

    def ask(self, request, timeout, interrupt, max_bytes):
        """The reply's bytes to `request` (bytes). Past `timeout` s, `interrupt()` stops the call
        and TimedOut is raised once its reply is read, so that the next request finds the next reply."""
        self._connection.settimeout(timeout)
        try:
            self._connection.sendall(len(request).to_bytes(FRAME_HEADER, "big") + request)
        except OSError:
            raise Lost("the student's kernel died while a test called its code") from None
        try:
            return self._receive(time.monotonic() + timeout, max_bytes)
        except TimeoutError:
            interrupt()
        try:
            self._receive(time.monotonic() + INTERRUPT_GRACE_SECONDS, max_bytes)
        except TimeoutError:
            raise Lost(
                f"the student's code ran longer than the time limit ({timeout:g} s) and could not be stopped"
            ) from None
        raise TimedOut

    def close(self):
        for end in (self._listener, self._connection):
            if end is not None:
                end.close()

    def _receive(self, deadline, max_bytes):
        size = int.from_bytes(self._read(FRAME_HEADER, deadline), "big")
        if size > max_bytes:
            mb = size / 2**20, max_bytes / 2**20
            raise Lost(f"the kernel's answer is {mb[0]:.0f} MB; the grader takes at most {mb[1]:.0f} MB")
        return self._read(size, deadline)

    def _read(self, size, deadline):
        """Exactly `size` bytes before `deadline` (TimeoutError otherwise), or Lost if the kernel hangs up."""
        chunks, left = [], size
        while left:
            if not select.select([self._connection], [], [], max(0, deadline - time.monotonic()))[0]:
                raise TimeoutError
            chunk = self._connection.recv(min(left, 2**20))
            if not chunk:
                raise Lost("the student's kernel died while a test called its code")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

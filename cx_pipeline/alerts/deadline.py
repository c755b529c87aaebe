"""A wall-clock limit on one sink's delivery, and a way to cut off what it has open.

A socket timeout bounds each read, not a request: a server that answers one byte every
few seconds never trips it and can hold a request open for as long as it likes. So every
attempt's timeout is also capped by the time left, and when the time is up the sockets
the delivery still has open are shut down, which wakes a thread blocked reading one.
"""

from __future__ import annotations

import socket
import threading
import time


class DeadlineExceeded(TimeoutError):
    pass


class Deadline:
    def __init__(self, seconds: float, attempt_timeout: float) -> None:
        self.seconds = seconds
        self.attempt_timeout = attempt_timeout
        self._at = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._expired = False

    def remaining(self) -> float:
        if self._expired:
            return 0.0
        return max(0.0, self._at - time.monotonic())

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0.0

    def timeout(self) -> float:
        """The timeout for the next blocking step: the per-attempt one or the time left."""
        left = self.remaining()
        if left <= 0.0:
            raise DeadlineExceeded(f"deadline of {self.seconds:g} s passed")
        return min(self.attempt_timeout, left)

    def watch(self, sock: socket.socket) -> socket.socket:
        """Have `sock` shut down if the deadline is called while it is open."""
        with self._lock:
            if self._expired:
                _shut(sock)
            else:
                self._sockets.append(sock)
        return sock

    def expire(self) -> None:
        """Called by the dispatcher when it stops waiting: nothing more may be sent."""
        with self._lock:
            self._expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    # shutdown, not close: close from another thread does not wake a blocked recv.
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed, or handed over to an SSL wrapper

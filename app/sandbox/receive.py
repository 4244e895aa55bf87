"""The server's side of the pipe: one message from a child, under one deadline and one size cap.

multiprocessing's `Connection.recv_bytes` waits for the whole message without a time limit once the first byte
is there, so a run that sends a length and stalls, or trickles a byte at a time, would hold a server thread
for good. Here every wait is bounded by the run's deadline, the announced length is checked against the cap
before anything is read, and `tick` (the watchdog) runs every TICK_SECONDS meanwhile, whatever the child
sends. The framing is multiprocessing's (the child writes with `Connection.send_bytes`).
"""

from __future__ import annotations

import os
import select
import struct
import time
from collections.abc import Callable

from app.errors import ReplyRejected

__all__ = ["TICK_SECONDS", "DeadlinePassed", "receive"]

TICK_SECONDS = 0.05
CHUNK_BYTES = 1 << 20
SHORT_LENGTH = struct.Struct("!i")  # multiprocessing: a 4-byte length, or -1 and an 8-byte one
LONG_LENGTH = struct.Struct("!Q")


class DeadlinePassed(Exception):
    """The deadline came before the whole message did."""


def receive(fd: int, deadline: float, max_bytes: int, tick: Callable[[], None]) -> bytes:
    """The next message on `fd`, whole, before `deadline` (time.monotonic); raises DeadlinePassed, EOFError
    when the child closes the pipe, ReplyRejected when it announces more than `max_bytes`, or what `tick`
    raises."""
    reader = _Reader(fd, deadline, tick)
    (size,) = SHORT_LENGTH.unpack(reader.read(SHORT_LENGTH.size))
    if size == -1:
        (size,) = LONG_LENGTH.unpack(reader.read(LONG_LENGTH.size))
    if not 0 <= size <= max_bytes:
        raise ReplyRejected(f"the run's reply is {size} bytes; the cap is {max_bytes}")
    return reader.read(size)


class _Reader:
    def __init__(self, fd: int, deadline: float, tick: Callable[[], None]) -> None:
        self.fd, self.deadline, self.tick = fd, deadline, tick
        self.poller = select.poll()
        self.poller.register(fd, select.POLLIN)
        self.next_tick = time.monotonic() + TICK_SECONDS

    def read(self, size: int) -> bytes:
        buffer = bytearray()
        while len(buffer) < size:
            self._wait()
            chunk = os.read(self.fd, min(size - len(buffer), CHUNK_BYTES))
            if not chunk:
                raise EOFError("the child closed the pipe")
            buffer += chunk
        return bytes(buffer)

    def _wait(self) -> None:
        """Until the pipe is readable; the watchdog runs on time even while bytes keep coming."""
        while True:
            now = time.monotonic()
            if now >= self.next_tick:
                self.tick()
                self.next_tick = now + TICK_SECONDS
            if now >= self.deadline:
                raise DeadlinePassed
            timeout = min(self.deadline, self.next_tick) - now
            if self.poller.poll(max(timeout, 0) * 1000):
                return

"""Connection-level guards uvicorn lacks: header and body read timeouts, and a cap on open connections.

uvicorn's own options do not stop a slow-headers flood: `--timeout-keep-alive` is armed only after a
response and cancelled by any byte, and `--limit-concurrency` answers 503 only once a request's headers are
complete, so connections that never finish their headers are never refused nor closed; ~20,000 of them took
every file descriptor of the server (and with them, the worker pool's ability to start children). This
protocol is uvicorn's h11 protocol with:

- a deadline for each request's headers (from the connection's start, or from the previous response on a
  kept-alive connection) and another for its body (from the end of its headers), that trickling bytes do not
  extend; past it the connection is closed;
- a cap on open connections: one over it gets a 503 `busy` and is closed at once;
- TCP_NODELAY on every connection, also on a socket given with `--fd`: uvicorn wraps such a socket as
  AF_UNIX, so asyncio never sets it, and each response's second write waited for the client's delayed ACK
  (every request took 40 ms more: `GET /healthz` 44 ms instead of 4).

`python -m app.serve` runs uvicorn with it (`make run`, the container, the test servers).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from typing import Any, Literal

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.errors import Busy
from app.settings import Settings, get_settings

__all__ = ["GuardedH11Protocol", "effective_max_connections", "send_at_once"]

log = logging.getLogger(__name__)

Phase = Literal["headers", "body", "handling"]
FD_RESERVE = 256  # descriptors kept for everything but client connections: pipes to children, logs, files
DEFAULT_MAX_CONNECTIONS = 1_024
# a refused connection reads what its client sends for a moment before closing, so that the 503 arrives (a
# socket closed with unread data answers with a reset); this many at most, the others close at once
MAX_LINGERING = 64
LINGER_SECONDS = 1.0

_BUSY_BODY = json.dumps(
    {"error": Busy("the server has too many open connections; retry shortly").to_body(), "graph": None}
).encode()
BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n" % len(_BUSY_BODY)
) + _BUSY_BODY


def effective_max_connections(settings: Settings, soft_nofile: int) -> int:
    """The configured cap, or by default what the file-descriptor limit leaves (at most 1,024)."""
    if settings.max_connections is not None:
        return settings.max_connections
    return max(1, min(DEFAULT_MAX_CONNECTIONS, soft_nofile - FD_RESERVE))


def send_at_once(transport: asyncio.BaseTransport) -> None:
    """TCP_NODELAY on the connection's socket whatever family it claims (a real Unix socket refuses it)."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with read deadlines and a connection cap (settings: GRADTRACE_HEADER_TIMEOUT,
    GRADTRACE_BODY_TIMEOUT, GRADTRACE_MAX_CONNECTIONS)."""

    max_connections = DEFAULT_MAX_CONNECTIONS  # set by app.serve before the server starts
    lingering = 0  # refused connections waiting for their client to close

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self._timeouts: dict[Phase, float] = {
            "headers": settings.header_timeout,
            "body": settings.body_timeout,
        }
        self._phase: Phase | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._refused = False
        self._lingers = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        send_at_once(transport)
        if len(self.connections) > self.max_connections:
            self._refuse(transport)
            return
        self._track()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # read and dropped (see _refuse)
        super().data_received(data)
        self._track()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._track()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        if self._lingers:
            GuardedH11Protocol.lingering -= 1
        super().connection_lost(exc)

    def _refuse(self, transport: asyncio.Transport) -> None:
        """503 busy and close; no longer counted against the cap."""
        self._refused = True
        self.connections.discard(self)
        transport.write(BUSY_RESPONSE)
        if GuardedH11Protocol.lingering >= MAX_LINGERING or not transport.can_write_eof():
            transport.close()
            return
        GuardedH11Protocol.lingering += 1
        self._lingers = True
        transport.write_eof()  # the client reads the answer, then closes (eof_received closes our end)
        self._deadline = self.loop.call_later(LINGER_SECONDS, transport.close)

    def _track(self) -> None:
        """Arm a deadline when the client starts owing headers or a body; none while the app handles it."""
        if self.transport.is_closing():
            return
        state = self.conn.their_state
        phase: Phase = "headers" if state is h11.IDLE else "body" if state is h11.SEND_BODY else "handling"
        if phase == self._phase:
            return
        self._phase = phase
        self._cancel_deadline()
        if phase != "handling":
            self._deadline = self.loop.call_later(self._timeouts[phase], self._expire, phase)

    def _expire(self, phase: Phase) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            log.debug("closing a connection whose %s took longer than %g s", phase, self._timeouts[phase])
            self.transport.close()

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

"""A small concurrency limit of its own for one kind of request: `running` at once, `waiting` more, then 503.

Entered before the request's body is read, so that waiting requests hold no body (POST /layout takes 8 MiB
graphs: twelve of them once took the server from 111 MB to 2.9 GB)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from app.errors import Busy

__all__ = ["Gate"]


class Gate:
    def __init__(self, what: str, *, running: int, waiting: int) -> None:
        self.what = what
        self.limiter = anyio.CapacityLimiter(running)
        self.capacity = running + waiting
        self.pending = 0

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[anyio.CapacityLimiter]:
        """A place among the pending requests (or Busy); hold the limiter it yields to run."""
        if self.pending >= self.capacity:
            raise Busy(f"{self.capacity} {self.what} requests are already running or waiting; retry shortly")
        self.pending += 1
        try:
            yield self.limiter
        finally:
            self.pending -= 1

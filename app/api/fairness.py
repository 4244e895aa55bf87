"""Per-client limits, so that one person cannot hold every worker: 429 with Retry-After beyond them.

The client is the token the page keeps in the browser and sends in a header (GRADTRACE_CLIENT_HEADER); a
request without a well-formed one is its IP's. Tokens cost nothing to make up, so the IP can be a coarse
outer bound over every token it sends (GRADTRACE_RUNS_PER_IP); only coarse, since a whole class behind one
NAT is one IP, and off by default: the pool's queue already bounds what one IP can hold. Counted: requests
that need a worker (cache hits and requests waiting for an identical run do not)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.requests import Request

from app.errors import TooManyRequests

__all__ = ["ClientLimits"]

TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


class ClientLimits:
    def __init__(self, *, header: str, per_client: int, per_ip: int | None) -> None:
        self.header = header.lower()
        self.per_client, self.per_ip = per_client, per_ip
        self.refused = 0
        self._running: Counter[str] = Counter()

    def identify(self, request: Request) -> tuple[str, str]:
        """(client, ip): the client is `token:<token>`, or `ip:<address>` without a valid token."""
        ip = request.client.host if request.client else "unknown"
        token = request.headers.get(self.header, "")
        return (f"token:{token}" if TOKEN.fullmatch(token) else f"ip:{ip}"), f"ip:{ip}"

    @contextmanager
    def holding(self, request: Request) -> Iterator[None]:
        """One of the request's client's places (and its IP's) while the block runs; TooManyRequests when
        either has none left."""
        client, ip = self.identify(request)
        if self._running[client] >= self.per_client:
            self.refused += 1
            raise TooManyRequests(
                f"this client already has {self.per_client} runs going; retry when one has finished"
            )
        if client != ip and self.per_ip is not None and self._running[ip] >= self.per_ip:
            self.refused += 1
            raise TooManyRequests(f"this address already has {self.per_ip} runs going; retry shortly")
        holders = {client, ip}
        for holder in holders:
            self._running[holder] += 1
        try:
            yield
        finally:
            for holder in holders:
                self._running[holder] -= 1
                if not self._running[holder]:
                    del self._running[holder]

"""Answers to repeated requests: a class runs the same example at the same moment, and the same request gives
the same graph, so a graph is kept by a hash of everything that makes it and served again.

- `graph_key`: SHA-256 of the gradtrace version, the children's torch version (as the pool's probe found it)
  and the task the child would get (the resolved program, the options with the device resolved, the clamped
  limits, the server's program caps): whatever changes the answer is in it.
- `ResponseCache`: least recently used entries, bounded in bytes (graphs reach 16 MiB); an entry over an
  eighth of the budget is not kept. Errors, timeouts and runs flagged nondeterministic are never offered.
- `ResponseCache.shared`: concurrent misses on one key run once; the others take the first one's answer
  (when it is kept; else each runs its own).
- `ResponseCache.gzipped`: a kept graph's gzip form, made once (in a thread) and kept beside it: compressing
  GPT-2 124M's 2.9 MB graph takes ~50 ms, which every hit would pay again in the middleware.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

import anyio

from app import __version__

__all__ = ["Outcome", "ResponseCache", "cacheable", "graph_key"]

Outcome = Literal["shared", "stored", "not-stored"]
# zlib's default level: GPT-2's 2.9 MB graph takes 52 ms to 347 KB, where starlette's 9 took 130 ms to 336 KB
GZIP_LEVEL = 6
GZIP_MIN_BYTES = 1_024  # graphs compress ~5-10x; tiny bodies are not worth the CPU
GZIPPED = ".gz"  # suffix of the key a gzip form is kept under
ENTRY_SHARE = 8  # an entry may take at most 1/8 of the budget
NONDETERMINISTIC = b'"nondeterministic":true'  # how the graph JSON flags a run that may not repeat


def graph_key(task: bytes, torch_version: str) -> str:
    """The cache key (and public hash, GET /graph/{hash}) of one graph task."""
    digest = hashlib.sha256(f"gradtrace {__version__}\ntorch {torch_version}\n".encode())
    digest.update(task)
    return digest.hexdigest()


def cacheable(body: bytes) -> bool:
    """Whether a graph may be served again: not flagged nondeterministic. A search, not a parse (a GPT-2
    graph is 3 MB): a string inside the graph cannot match, since JSON escapes its quotes, so the worst a
    program can do is make its own graph uncacheable."""
    return NONDETERMINISTIC not in body


@dataclass
class Counts:
    hits: int = 0
    misses: int = 0
    shared: int = 0  # misses answered by a concurrent identical run
    evictions: int = 0


class ResponseCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // ENTRY_SHARE
        self.bytes = 0
        self.counts = Counts()
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._running: dict[str, anyio.Event] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, key: str) -> bytes | None:
        """The kept answer (counted as a hit), now the most recently used; None when absent."""
        body = self._entries.get(key)
        if body is not None:
            self._entries.move_to_end(key)
            self.counts.hits += 1
        return body

    async def gzipped(self, key: str, body: bytes) -> bytes:
        """`body`, the graph kept under `key`, gzipped: made once, then kept (and counted) beside it."""
        packed = self._entries.get(key + GZIPPED)
        if packed is None:
            packed = await anyio.to_thread.run_sync(_gzip, body)
            self.put(key + GZIPPED, packed)
        else:
            self._entries.move_to_end(key + GZIPPED)
        return packed

    def put(self, key: str, body: bytes) -> bool:
        """Keep `body` if it fits an entry, evicting the least recently used; whether it is kept."""
        if key in self._entries:
            return True
        if len(body) > self.max_entry_bytes:
            return False
        self._entries[key] = body
        self.bytes += len(body)
        while self.bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= len(evicted)
            self.counts.evictions += 1
        return True

    async def shared(self, key: str, run: Callable[[], Awaitable[bytes]]) -> tuple[bytes, Outcome]:
        """For a key `lookup` missed: the answer of the identical run already going when it was kept
        ("shared"), else `run()`'s, kept when cacheable ("stored") or not ("not-stored")."""
        running = self._running.get(key)
        if running is not None:
            await running.wait()
            body = self._entries.get(key)
            if body is not None:
                self.counts.shared += 1
                return body, "shared"
        self.counts.misses += 1
        if self.max_entry_bytes == 0:  # caching is off: nothing to share either
            return await run(), "not-stored"
        done = self._running.setdefault(key, anyio.Event())
        try:
            body = await run()
            return body, "stored" if cacheable(body) and self.put(key, body) else "not-stored"
        finally:
            if self._running.get(key) is done:
                del self._running[key]
            done.set()


def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)

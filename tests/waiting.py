"""Waiting for a state another process or thread reaches (a child started, a queue full, a server ready).

Tests never wait for a duration and never bound how long something took: they poll the state itself, and only
a backstop, far beyond any machine however loaded, ends a wait that would otherwise hang, with a message
that says what never happened.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

__all__ = ["BACKSTOP_SECONDS", "wait_for", "wait_for_async"]

BACKSTOP_SECONDS = 300.0  # a state that a healthy run reaches in milliseconds to seconds; never a speed check
POLL_SECONDS = 0.02

T = TypeVar("T")


def wait_for(state: Callable[[], T], what: str, *, seconds: float = BACKSTOP_SECONDS) -> T:
    """`state()` once it is truthy, polled; fails after `seconds` saying that `what` never happened."""
    deadline = time.monotonic() + seconds
    while not (found := state()):
        _check(deadline, what, seconds)
        time.sleep(POLL_SECONDS)
    return found


async def wait_for_async(
    state: Callable[[], T | Awaitable[T]], what: str, *, seconds: float = BACKSTOP_SECONDS
) -> T:
    """`wait_for` inside an event loop, which keeps running meanwhile; `state` may be a coroutine function."""
    deadline = time.monotonic() + seconds
    while True:
        found = state()
        if inspect.isawaitable(found):
            found = await found
        if found:
            return found  # type: ignore[return-value]
        _check(deadline, what, seconds)
        await anyio.sleep(POLL_SECONDS)


def _check(deadline: float, what: str, seconds: float) -> None:
    if time.monotonic() > deadline:
        raise AssertionError(f"waited {seconds:g} s (the backstop) for {what}; it never happened")

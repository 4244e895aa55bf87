"""Stop work whose client has gone: a closed connection cancels the run, which kills its child."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
from starlette.requests import Request

__all__ = ["CLIENT_CLOSED", "unless_disconnected"]

CLIENT_CLOSED = 499  # nginx's code for "the client closed the connection first"; nobody reads it

T = TypeVar("T")


async def unless_disconnected(request: Request, work: Callable[[], Awaitable[T]]) -> T | None:
    """`work()`'s result, or None when the client disconnected first (the work is then cancelled)."""
    outcome: list[T] = []
    failure: list[Exception] = []
    async with anyio.create_task_group() as tasks:

        async def watch() -> None:
            await _disconnected(request)
            tasks.cancel_scope.cancel()

        tasks.start_soon(watch)
        try:
            outcome.append(await work())
        except Exception as error:  # raised below as it is, not wrapped in an ExceptionGroup
            failure.append(error)
        tasks.cancel_scope.cancel()
    if failure:
        raise failure[0]
    return outcome[0] if outcome else None


async def _disconnected(request: Request) -> None:
    """Returns once the server reports the client gone (the body was already read by then)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass

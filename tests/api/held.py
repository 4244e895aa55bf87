"""Runs held open on a live server: requests whose runs end only when their clients go away.

A test that needs the pool busy (a full queue, a run to kill or to abandon) starts such runs and waits until
the server reports them running and queued, instead of racing quick runs to fill it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
import httpx
from waiting import BACKSTOP_SECONDS, wait_for_async

if TYPE_CHECKING:
    from conftest import LiveServer

__all__ = ["held", "pool_counts"]


async def pool_counts(client: httpx.AsyncClient) -> tuple[int, int]:
    """(running, waiting) as /healthz reports them."""
    ready = (await client.get("/healthz")).json()
    return ready["running"], ready["waiting"]


@asynccontextmanager
async def held(
    server: LiveServer, body: dict[str, Any], *, running: int, waiting: int = 0, path: str = "/graph"
) -> AsyncIterator[httpx.AsyncClient]:
    """`running + waiting` requests of `body` (a program that never finishes) in flight, entered once the
    server reports that many runs running and waiting; yields a client for more requests. Each held request
    is its own client (per-client limits) with its own seed (identical requests would share one run). Leaving
    closes their connections and waits until the pool is idle again (a disconnected run is cancelled)."""
    async with httpx.AsyncClient(base_url=server.url, timeout=BACKSTOP_SECONDS) as client:
        ended: list[httpx.Response] = []

        async def hold(index: int) -> None:
            own = {**body, "options": {**body.get("options", {}), "seed": index}}
            token = {"x-gradtrace-client": f"held-run-{index}"}
            ended.append(await client.post(path, json=own, headers=token))

        async def reached() -> bool:
            if ended:
                raise AssertionError(f"a held run ended: {ended[0].status_code} {ended[0].text[:300]}")
            return await pool_counts(client) == (running, waiting)

        async with anyio.create_task_group() as requests:
            for index in range(running + waiting):
                requests.start_soon(hold, index)
            await wait_for_async(reached, f"{running} held runs running and {waiting} waiting")
            try:
                yield client
            finally:
                requests.cancel_scope.cancel()  # their connections close: the server cancels the runs
    async with httpx.AsyncClient(base_url=server.url, timeout=BACKSTOP_SECONDS) as client:

        async def idle() -> bool:
            return await pool_counts(client) == (0, 0)

        await wait_for_async(idle, "the pool to be idle once the held runs' clients went away")

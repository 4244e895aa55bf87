"""Starting a real Pool for the sandbox tests, and running Python source in its jailed children."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sandbox_jobs
from waiting import BACKSTOP_SECONDS, wait_for_async

from app.sandbox.pool import Pool
from app.sandbox.protocol import Confinement, Job

# the wall clock outlasts every wait: a run that another limit must stop cannot end by it on a busy machine
LIMITS = Confinement(wall_seconds=2 * BACKSTOP_SECONDS, cpu_seconds=5, memory_mb=256, max_result_bytes=2**20)

# Prepended to every source run_source runs: `attempt(action)` is "ok", or the errno's name (or the
# exception's).
PRELUDE = """
import errno, os
def attempt(action):
    try:
        action()
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))
    except Exception as error:
        return type(error).__name__
    return "ok"
"""


@asynccontextmanager
async def started(
    job: Job, *, workers: int = 2, queue: int = 2, prefork: int = 1, **options: Any
) -> AsyncIterator[Pool]:
    sizes = {"workers": workers, "queue": queue, "prefork": prefork, "max_payload_bytes": 2**20}
    async with Pool(job, **sizes, **options) as pool:
        await wait_for_async(lambda: pool.ready, "the pool to warm up")
        yield pool


async def run_source(pool: Pool, source: str, limits: Confinement = LIMITS) -> Any:
    """The `result` of `source`, run in a jailed child of `pool`."""
    return json.loads(await pool.run((PRELUDE + source).encode(), limits))


@asynccontextmanager
async def source_pool(**options: Any) -> AsyncIterator[Pool]:
    async with started(sandbox_jobs.run_source, **options) as pool:
        yield pool

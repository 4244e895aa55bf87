"""Spares prefilled while the pool is idle (app/sandbox/prefault.py `Prefill`, app/sandbox/pool.py): the spare
next in line populates 7/8 of what the last runs grew by; a run there takes its memory from that heap without
growing it, and its limits hold exactly as in a child that was never prefilled."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pools import LIMITS, run_source, source_pool
from waiting import wait_for_async

from app.errors import MemoryLimit
from app.sandbox.child import Child
from app.sandbox.pool import DEMAND_WINDOW, Pool
from app.sandbox.watchdog import MiB, resident_bytes

pytestmark = pytest.mark.anyio

# grows the child's resident memory by ~160 MiB (every byte written)
GROW = "block = b'x' * (160 * 2**20)\nresult = len(block)"
# how far the C heap's top moved while the program wrote 120 MiB
HEAP_MOVE = """import ctypes
library = ctypes.CDLL(None)
library.sbrk.restype = ctypes.c_void_p
library.sbrk.argtypes = [ctypes.c_long]
before = library.sbrk(0)
block = b'x' * (120 * 2**20)
result = library.sbrk(0) - before
"""
ROOMY = LIMITS.model_copy(update={"memory_mb": 1_024})


@pytest.fixture
async def pool() -> AsyncIterator[Pool]:
    async with source_pool(prefork=1, prefill_bytes=512 * MiB) as started:
        yield started


async def next_spare(pool: Pool) -> Child:
    """The spare the next run takes, once there is one (the pool forks a replacement after each run)."""
    idle = pool._idle[False]
    await wait_for_async(lambda: len(idle) > 0, "a spare")
    return idle[0]


async def populated(spare: Child, size: int) -> None:
    """Until the spare holds `size` more bytes than before its prefill, however long a busy machine takes."""
    assert spare.idle_resident is not None and spare.process.pid is not None
    pid, idle = spare.process.pid, spare.idle_resident
    await wait_for_async(lambda: resident_bytes(pid) - idle >= size, f"the spare to populate {size} bytes")


async def test_the_next_spare_populates_what_the_last_run_grew_by_and_its_run_uses_it(pool: Pool) -> None:
    assert await run_source(pool, HEAP_MOVE, ROOMY) >= 120 * MiB  # a small run before: nothing prefilled
    assert await run_source(pool, GROW, ROOMY) == 160 * MiB
    await populated(await next_spare(pool), 140 * MiB)  # 7/8 of 160 MiB
    assert await run_source(pool, HEAP_MOVE, ROOMY) == 0  # the 120 MiB came from the prefilled heap


async def test_a_prefilled_run_gets_no_more_address_space_than_its_limit(pool: Pool) -> None:
    """The prefill (~210 MiB of address space: 7/8 of 160 MiB and glibc's pad) is part of the run's 256 MiB,
    not on top of it."""
    await run_source(pool, GROW, ROOMY)
    assert (await next_spare(pool)).idle_resident is not None
    with pytest.raises(MemoryLimit):
        await run_source(pool, "block = b'x' * (300 * 2**20)")
    assert (await next_spare(pool)).idle_resident is not None
    assert await run_source(pool, "block = b'x' * (150 * 2**20)\nresult = len(block)") == 150 * MiB


async def test_a_run_watched_by_its_host_memory_finds_no_prefill_to_hide_in(pool: Pool) -> None:
    """CUDA runs' memory is counted from what the child holds when it takes its payload: a prefill kept
    there would be memory the watchdog never sees used. Forced here on a CPU child, as in test_jail."""
    await run_source(pool, GROW, ROOMY)
    await populated(await next_spare(pool), 140 * MiB)
    limits = LIMITS.model_copy(update={"memory_mb": None, "host_memory_mb": 64})
    with pytest.raises(MemoryLimit, match="64 MiB of host memory"):
        await run_source(pool, "import time\nblock = b'x' * (150 * 2**20)\ntime.sleep(30)", limits)


async def test_a_program_run_again_keeps_its_prefill(pool: Pool) -> None:
    """It grows past its 7/8 by the rest, which tells the pool again what it needs."""
    for _ in range(DEMAND_WINDOW + 2):
        assert await run_source(pool, GROW, ROOMY) == 160 * MiB
        assert (await next_spare(pool)).idle_resident is not None


async def test_cuda_runs_leave_the_spares_unfilled(pool: Pool) -> None:
    """Their host memory (libraries, pinned buffers) says nothing of what a CPU run needs; a CUDA run never
    uses a prefill (it would be given back first). Forced here on a CPU child, as in test_jail."""
    cuda = {"memory_mb": None, "host_memory_mb": 1_024, "cuda_memory_fraction": 0.5}
    limits = LIMITS.model_copy(update=cuda)
    assert await run_source(pool, GROW, limits) == 160 * MiB
    assert (await next_spare(pool)).idle_resident is None


async def test_runs_that_cannot_tell_what_they_needed_end_the_prefills(pool: Pool) -> None:
    """A small run in a prefilled child holds the whole prefill resident: it says nothing of its own need.
    After as many of those as the window holds, the next run is measured in a child that was not prefilled
    (what idle spares hold stays bounded by what recent runs really needed)."""
    await run_source(pool, GROW, ROOMY)
    for _ in range(DEMAND_WINDOW):
        assert (await next_spare(pool)).idle_resident is not None
        assert await run_source(pool, "result = 1") == 1
    assert (await next_spare(pool)).idle_resident is None

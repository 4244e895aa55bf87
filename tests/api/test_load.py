"""50 concurrent requests against one worker and a queue of one: 200s and 503s, never a 500, memory flat.

Each request has its own seed (a repeated one is answered from the cache, without a run) and its own client
token (without one, every request from this machine is one client, allowed one run)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import httpx
import proc
import pytest

if TYPE_CHECKING:
    from conftest import LiveServer

CONCURRENCY = 50
ROUNDS = 3
RSS_GROWTH_MB = 25  # allocator noise; a leak of one graph per request would be far more


def burst(server: LiveServer, program: str, first_seed: int) -> list[httpx.Response]:
    def one(seed: int) -> httpx.Response:
        token = {"x-gradtrace-client": f"load-test-client-{seed}"}
        with httpx.Client(base_url=server.url, timeout=60, headers=token) as client:
            return client.post("/graph", json={"program": program, "options": {"seed": seed}})

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        return list(pool.map(one, range(first_seed, first_seed + CONCURRENCY)))


@pytest.mark.slow
def test_overload_gives_200_and_503_never_500_and_memory_stays_flat(
    small_server: LiveServer, logistic_neuron: str
) -> None:
    burst(small_server, logistic_neuron, 0)  # warm: first-use allocations are not a leak
    before = proc.rss_mb(small_server.pid)
    statuses: list[int] = []
    for round_ in range(1, ROUNDS + 1):
        responses = burst(small_server, logistic_neuron, round_ * CONCURRENCY)
        statuses += [r.status_code for r in responses]
        for busy in (r for r in responses if r.status_code == 503):
            assert busy.headers["retry-after"] == "1"
            assert busy.json()["error"]["kind"] == "busy"
    after = proc.rss_mb(small_server.pid)
    assert set(statuses) == {200, 503}
    assert after - before < RSS_GROWTH_MB, (before, after)
    assert len(proc.workers(small_server.pid)) <= 3  # pre-forked + finished children are reaped

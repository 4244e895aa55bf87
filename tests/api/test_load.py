"""50 concurrent requests against one worker and a queue of one: 200s and 503s, never a 500, memory flat."""

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


def burst(server: LiveServer, program: str) -> list[httpx.Response]:
    def one(_: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            return client.post("/graph", json={"program": program})

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        return list(pool.map(one, range(CONCURRENCY)))


@pytest.mark.slow
def test_overload_gives_200_and_503_never_500_and_memory_stays_flat(
    small_server: LiveServer, logistic_neuron: str
) -> None:
    burst(small_server, logistic_neuron)  # warm: first-use allocations are not a leak
    before = proc.rss_mb(small_server.pid)
    statuses: list[int] = []
    for _ in range(ROUNDS):
        responses = burst(small_server, logistic_neuron)
        statuses += [r.status_code for r in responses]
        for busy in (r for r in responses if r.status_code == 503):
            assert busy.headers["retry-after"] == "1"
            assert busy.json()["error"]["kind"] == "busy"
    after = proc.rss_mb(small_server.pid)
    assert set(statuses) == {200, 503}
    assert after - before < RSS_GROWTH_MB, (before, after)
    assert len(proc.workers(small_server.pid)) <= 3  # pre-forked + finished children are reaped

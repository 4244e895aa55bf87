"""The response cache over real HTTP (a class runs the same example at the same moment), GET /graph/{hash},
and the cache's own rules (bounded in bytes, never a flagged run) in-process."""

from __future__ import annotations

import gzip
import json
import re
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import pytest
from graphs import grad

from app.api.cache import ResponseCache, cacheable

if TYPE_CHECKING:
    from conftest import LiveServer

CACHE = "x-gradtrace-cache"


def post(server: LiveServer, body: dict[str, Any]) -> httpx.Response:
    with server.client() as client:
        return client.post("/graph", json=body)


def runs(server: LiveServer) -> int:
    """Graph runs the server has sent to children so far (from /metrics)."""
    with server.client() as client:
        found = re.search(r'^gradtrace_runs_total\{task="graph"\} (\d+)$', client.get("/metrics").text, re.M)
    return int(found.group(1)) if found else 0


def unique(program: str, tag: str) -> dict[str, Any]:
    """The program with a comment of its own, so that no other test has run it on the shared server."""
    return {"program": f"{program}# {tag}\n"}


def test_a_repeated_request_is_answered_from_the_cache_byte_for_byte(
    server: LiveServer, logistic_neuron: str
) -> None:
    body = unique(logistic_neuron, "cache-repeat")
    before = runs(server)
    first, second = post(server, body), post(server, body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.headers[CACHE], second.headers[CACHE]) == ("stored", "hit")
    assert second.content == first.content  # timings included: nothing ran again
    assert runs(server) == before + 1
    assert second.headers["content-location"] == first.headers["content-location"]
    assert re.fullmatch(r"/graph/[0-9a-f]{64}", first.headers["content-location"])
    assert round(grad(second.json(), "w"), 4) == -0.0898


def test_get_by_hash_serves_the_kept_graph_immutable_with_an_etag(
    server: LiveServer, logistic_neuron: str
) -> None:
    posted = post(server, unique(logistic_neuron, "cache-get"))
    location = posted.headers["content-location"]
    key = location.rsplit("/", 1)[1]
    with server.client() as client:
        got = client.get(location)
        again = client.get(location, headers={"if-none-match": got.headers["etag"]})
        missing = client.get(f"/graph/{'0' * 64}")
        malformed = client.get("/graph/not-a-hash")
    assert got.status_code == 200 and got.content == posted.content
    assert got.headers["etag"] == f'W/"{key}"'
    assert got.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert (again.status_code, again.content) == (304, b"")
    assert (missing.status_code, missing.json()["error"]["kind"]) == (404, "not_found")
    assert malformed.status_code == 422


def test_kept_graphs_are_gzipped_once_for_every_client_that_takes_gzip(
    server: LiveServer, logistic_neuron: str
) -> None:
    body = unique(logistic_neuron, "cache-gzip")
    with server.client() as client:
        plain = client.post("/graph", json=body, headers={"accept-encoding": "identity"})
        bytes_before = metric_value(client, "gradtrace_cache_bytes")
        packed = []
        for _ in range(2):
            with client.stream("POST", "/graph", json=body, headers={"accept-encoding": "gzip"}) as response:
                packed.append((response.headers["content-encoding"], b"".join(response.iter_raw())))
        bytes_after = metric_value(client, "gradtrace_cache_bytes")
    assert plain.headers[CACHE] == "stored" and "content-encoding" not in plain.headers
    assert packed[0] == packed[1] and packed[0][0] == "gzip"
    assert gzip.decompress(packed[0][1]) == plain.content
    assert bytes_after - bytes_before == len(packed[0][1])  # kept beside the graph, made once


def metric_value(client: httpx.Client, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", client.get("/metrics").text, re.M)
    assert found, name
    return float(found.group(1))


def test_what_changes_the_answer_changes_the_hash_and_the_resolved_device_is_what_counts(
    server: LiveServer, logistic_neuron: str
) -> None:
    with server.client() as client:
        if client.get("/healthz").json()["cuda"]:
            pytest.skip("auto means cuda on this machine")
    base = unique(logistic_neuron, "cache-key")
    locations = {
        name: post(server, base | {"options": options}).headers["content-location"]
        for name, options in {
            "auto": {},
            "cpu": {"device": "cpu"},
            "seed": {"seed": 7},
            "float64": {"dtype": "float64"},
            "lower limit": {"limits": {"max_nodes": 1_000}},
        }.items()
    }
    assert locations["cpu"] == locations["auto"]  # auto resolves to cpu here: the same run
    assert len({locations[name] for name in ("auto", "seed", "float64", "lower limit")}) == 4


def test_errors_are_never_cached(server: LiveServer) -> None:
    body = {"program": "import torch\na = torch.ones(2, requires_grad=True)\nb = a @ torch.ones(3)\n"}
    before = runs(server)
    answers = [post(server, body) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [422, 422]
    assert all(CACHE not in answer.headers and "content-location" not in answer.headers for answer in answers)
    assert runs(server) == before + 2


def test_identical_requests_at_the_same_moment_make_one_run(server: LiveServer, logistic_neuron: str) -> None:
    body = unique(logistic_neuron, "cache-together")
    before = runs(server)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: post(server, body), range(8)))
    assert [answer.status_code for answer in answers] == [200] * 8
    statuses = sorted(answer.headers[CACHE] for answer in answers)
    assert statuses.count("stored") == 1 and set(statuses) <= {"stored", "shared", "hit"}
    assert len({answer.content for answer in answers}) == 1
    assert runs(server) == before + 1


def test_the_cache_is_bounded_in_bytes_and_evicts_the_least_recently_used() -> None:
    cache = ResponseCache(max_bytes=800)  # entries up to 100 bytes
    for index in range(8):
        assert cache.put(f"k{index}", bytes(100))
    assert cache.lookup("k0") is not None  # k0 is now the most recently used
    assert cache.put("k8", bytes(100))
    assert (cache.bytes, len(cache)) == (800, 8)
    assert cache.lookup("k1") is None and cache.lookup("k0") is not None
    assert not cache.put("big", bytes(101))  # over an eighth of the budget
    assert cache.counts.evictions == 1


def test_a_run_flagged_nondeterministic_is_not_kept_and_a_program_cannot_fake_the_flag() -> None:
    flagged = json.dumps({"nodes": [], "nondeterministic": True}, separators=(",", ":")).encode()
    printed = json.dumps({"stdout": '"nondeterministic":true', "nondeterministic": False}).encode()
    assert not cacheable(flagged)
    assert cacheable(printed) and cacheable(printed.replace(b" ", b""))

    async def outcomes() -> list[str]:
        cache = ResponseCache(max_bytes=2**20)

        async def run() -> bytes:
            return flagged

        first = await cache.shared("k", run)
        second = await cache.shared("k", run)
        return [first[1], second[1], str(cache.lookup("k"))]

    assert anyio.run(outcomes) == ["not-stored", "not-stored", "None"]

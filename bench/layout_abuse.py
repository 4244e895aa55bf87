"""POST /layout as the red team sent it (issue 18, defect 2), against a real server: how long the worst case
allowed takes in its sandbox child, what a 4,000-deep chain of groups costs now, what twelve 8 MB graphs at
once do to the server's memory, and how long a benign /graph waits meanwhile.

    .venv/bin/python bench/layout_abuse.py

Before the fix: the chain took ~98 s of the server's CPU, twelve 8 MB graphs took the server from 111 MB to
2.9 GB, and 45 chains made a benign /graph take 115 s instead of 0.08 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# this checkout's app, the live-server helper; not bench/ itself, whose http.py would shadow the stdlib's
sys.path[:1] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "api"), str(ROOT / "tests" / "layout")]

import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import proc  # noqa: E402
from conftest import LOGISTIC_NEURON, LiveServer, start_server, stop_server  # noqa: E402
from layout_graphs import gpt2_like  # noqa: E402

from app.models import LAYOUT_MAX_NODES  # noqa: E402

MiB = 2**20


def at_the_cap() -> bytes:
    """A GPT-2-like graph of about LAYOUT_MAX_NODES nodes, as the page sends it (no tensors, no routes)."""
    graph = gpt2_like(LAYOUT_MAX_NODES // 63)
    body = {
        "nodes": [node.model_dump(exclude={"data", "grad", "saved"}) for node in graph.nodes][
            :LAYOUT_MAX_NODES
        ],
        "edges": [edge.model_dump(exclude={"grad", "points"}) for edge in graph.edges],
        "groups": [group.model_dump() for group in graph.groups],
    }
    kept = {node["id"] for node in body["nodes"]}
    body["edges"] = [edge for edge in body["edges"] if edge["source"] in kept and edge["target"] in kept]
    return json.dumps(body).encode()


def padded(body: bytes, size: int) -> bytes:
    """The same graph with labels made long enough for a body of about `size` bytes."""
    graph = json.loads(body)
    pad = max(0, (size - len(body)) // len(graph["nodes"]))
    for node in graph["nodes"]:
        node["label"] = node["label"] + "x" * pad
    return json.dumps(graph).encode()


def chain(count: int) -> bytes:
    groups = [
        {"id": f"g{i}", "label": "g", "module": "M", "parent": f"g{i - 1}" if i else None}
        for i in range(count)
    ]
    return json.dumps(
        {
            "nodes": [{"id": "n0", "kind": "op", "label": "x", "group": f"g{count - 1}"}],
            "edges": [],
            "groups": groups,
        }
    ).encode()


def post(server: LiveServer, body: bytes, token: str = "bench-layouts") -> tuple[int, float]:
    """One POST /layout as the client `token` names: its status and milliseconds."""
    with httpx.Client(base_url=server.url, timeout=120, headers={"x-gradtrace-client": token}) as client:
        started = time.perf_counter()
        status = client.post(
            "/layout", content=body, headers={"content-type": "application/json"}
        ).status_code
        return status, (time.perf_counter() - started) * 1000


def timed(server: LiveServer, body: bytes, repeats: int = 5) -> str:
    results = [post(server, body) for _ in range(repeats)]
    return (
        f"{statistics.median(ms for _, ms in results):7.0f} ms (statuses {sorted({s for s, _ in results})})"
    )


def neuron_ms(server: LiveServer, seed: int) -> float:
    with httpx.Client(
        base_url=server.url, timeout=300, headers={"x-gradtrace-client": "bench-benign"}
    ) as client:
        started = time.perf_counter()
        client.post("/graph", json={"program": LOGISTIC_NEURON, "options": {"seed": seed}}).raise_for_status()
        return (time.perf_counter() - started) * 1000


def flood(server: LiveServer, body: bytes, count: int, seed: int) -> dict[str, Any]:
    """`count` layouts at once, each with a token of its own (forged tokens cost nothing); the server's peak
    RSS meanwhile and a benign /graph's wait."""
    peak = [proc.rss_mb(server.pid)]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak.append(proc.rss_mb(server.pid))
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    with ThreadPoolExecutor(count + 1) as pool:
        layouts = [pool.submit(post, server, body, f"bench-attacker-{index}") for index in range(count)]
        benign = pool.submit(neuron_ms, server, seed)  # a seed of its own: a run, not a cache hit
        statuses = Counter(future.result()[0] for future in layouts)
    done.set()
    watcher.join()
    return {"statuses": dict(statuses), "peak_mb": max(peak), "neuron_ms": benign.result()}


def main() -> None:
    server = start_server(Path(tempfile.mkdtemp()) / "uvicorn.log", {})
    try:
        cap = at_the_cap()
        big = padded(cap, 8 * MiB - 64 * 1024)
        print(
            f"a graph at the cap ({LAYOUT_MAX_NODES:,} nodes, {len(cap) / MiB:.1f} MB): {timed(server, cap)}"
        )
        print(f"the same with 8 MB of labels: {timed(server, big, 3)}")
        print(f"4,000 nested groups (refused at the depth cap): {timed(server, chain(4_000))}")
        print(f"64 nested groups (the cap): {timed(server, chain(64))}")
        print(
            f"benign /graph alone: {neuron_ms(server, 0):.0f} ms; server RSS {proc.rss_mb(server.pid):.0f} MB"
        )
        found = flood(server, big, 12, seed=1)
        print(
            f"twelve 8 MB graphs at once: statuses {found['statuses']}, "
            f"server RSS peak {found['peak_mb']:.0f} MB, benign /graph meanwhile {found['neuron_ms']:.0f} ms"
        )
        found = flood(server, chain(4_000), 45, seed=2)
        print(
            f"45 chains of 4,000 groups at once: statuses {found['statuses']}, benign /graph meanwhile "
            f"{found['neuron_ms']:.0f} ms"
        )
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()

"""A class on one server: 200 students, 50 at a time, each running the logistic neuron and then the GPT-2
block, as the page does (its own client token; a 429 or 503 tried again after its Retry-After).

Prints p50/p95 latency per example (retries included: what a student waits), requests/s, and the answers
that were not 200 along the way, with the per-client limits on, for the cache off (every request runs) and
on (a class repeats one request: it runs once).

    .venv/bin/python bench/classroom.py [--clients 200] [--concurrency 50]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# this checkout's app, the live-server helper; not bench/ itself, whose http.py would shadow the stdlib's
sys.path[:1] = [str(ROOT), str(ROOT / "tests")]

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import httpx  # noqa: E402
from conftest import LiveServer, start_server, stop_server  # noqa: E402

from app.examples import example  # noqa: E402

EXAMPLES = ("logistic", "gpt2_block")
RETRIES = 20  # a student presses Run again; the page itself tries twice


@dataclass
class Outcome:
    """What one student saw: seconds per example, and every answer that was not a 200."""

    seconds: dict[str, float] = field(default_factory=dict)
    refusals: Counter[int] = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)


def student(url: str, number: int) -> Outcome:
    """One browser: its token, then each example in turn, each retried after Retry-After until a 200."""
    outcome = Outcome()
    headers = {"x-gradtrace-client": f"bench-student-{number:04d}"}
    with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
        for name in EXAMPLES:
            started = time.perf_counter()
            for _ in range(RETRIES):
                response = client.post("/graph", json={"program": example(name).code})
                if response.status_code not in (429, 503):
                    break
                outcome.refusals[response.status_code] += 1
                time.sleep(float(response.headers.get("retry-after", "1")))
            outcome.seconds[name] = time.perf_counter() - started
            if response.status_code != 200:
                outcome.failed.append(f"{name}: {response.status_code}")
    return outcome


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def classroom(server: LiveServer, clients: int, concurrency: int) -> tuple[list[Outcome], float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        outcomes = list(pool.map(lambda number: student(server.url, number), range(clients)))
    return outcomes, time.perf_counter() - started


def report(label: str, outcomes: list[Outcome], wall: float) -> None:
    requests = len(outcomes) * len(EXAMPLES)
    refusals = sum((outcome.refusals for outcome in outcomes), Counter())
    failed = [failure for outcome in outcomes for failure in outcome.failed]
    print(
        f"{label}: {requests} graphs in {wall:.1f} s = {requests / wall:.1f} req/s; "
        f"refused on the way: {dict(refusals) or 'none'}; failed: {len(failed)} {failed[:3]}"
    )
    for name in EXAMPLES:
        waits = [outcome.seconds[name] * 1000 for outcome in outcomes]
        print(f"  {name:<10} p50 {statistics.median(waits):8.0f} ms   p95 {percentile(waits, 95):8.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    queue = str(args.concurrency + 16)  # room for the class: a fuller queue answers 503 (retried)
    for label, cache in (("cache off", "0"), ("cache on ", str(128 * 2**20))):
        settings = {"cache_bytes": cache, "queue": queue}
        server = start_server(Path(tempfile.mkdtemp()) / "uvicorn.log", settings)
        try:
            with server.client() as client:
                health = client.get("/healthz").json()
            outcomes, wall = classroom(server, args.clients, args.concurrency)
            report(f"{label} (torch {health['torch']}, per-client limits on)", outcomes, wall)
        finally:
            stop_server(server)
    print(
        f"{args.clients} clients, {args.concurrency} at once; load average now {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()

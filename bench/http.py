"""POST /graph latency and throughput against a real uvicorn, next to the same program in plain torch.

Targets on the 2-core dev machine: p50 <= 25 ms at concurrency 1, >= 40 req/s at concurrency 8, zero errors.
Run: .venv/bin/python bench/http.py [--requests 200]
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named http.py and Python puts its folder first on sys.path, where it would shadow the
# standard library's `http` package for httpx; use the repository's tests/ folder (the live-server helper).
ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT / "tests")
sys.path.insert(1, str(ROOT / "tests" / "api"))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import httpx  # noqa: E402
import proc  # noqa: E402
from conftest import LOGISTIC_NEURON, LiveServer, start_server, stop_server  # noqa: E402

P50_TARGET_MS = 25.0
THROUGHPUT_TARGET = 40.0  # requests per second at concurrency 8


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed_posts(url: str, body: dict[str, object], count: int, client_id: int = 0) -> tuple[list[float], int]:
    """Latencies (ms) of `count` sequential POSTs on one keep-alive connection, as one client (its own token:
    the per-client limits would refuse one client's concurrent runs), and how many failed."""
    latencies, errors = [], 0
    token = {"x-gradtrace-client": f"bench-http-client-{client_id}"}
    with httpx.Client(base_url=url, timeout=60, headers=token) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.post("/graph", json=body)
            latencies.append((time.perf_counter() - started) * 1000)
            errors += response.status_code != 200
    return latencies, errors


def measure(server: LiveServer, body: dict[str, object], concurrency: int, total: int) -> dict[str, float]:
    """Latency percentiles, throughput, errors, and CPU ms per request in the server and in the sandbox."""
    timed_posts(server.url, body, 10)  # warm connections and children
    cpu_before = cpu_ms(server.pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        each = total // concurrency
        parts = list(
            pool.map(lambda client_id: timed_posts(server.url, body, each, client_id), range(concurrency))
        )
    wall = time.perf_counter() - started
    cpu_after = cpu_ms(server.pid)
    latencies = [ms for part, _ in parts for ms in part]
    return {
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 99),
        "rps": len(latencies) / wall,
        "errors": sum(errors for _, errors in parts),
        "server_cpu": (cpu_after[0] - cpu_before[0]) / len(latencies),
        "sandbox_cpu": (cpu_after[1] - cpu_before[1]) / len(latencies),
    }


def cpu_ms(server_pid: int) -> tuple[float, float]:
    """CPU ms used so far by the server process, and by its fork server with every reaped child."""
    sandbox = sum(proc.cpu_ticks(pid, children=True) for pid in proc.children(server_pid))
    return proc.cpu_ticks(server_pid) * 10.0, sandbox * 10.0


def plain_torch_ms(repeats: int = 500) -> float:
    """Median ms of the logistic neuron's forward + backward in plain torch, in this process."""
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        x, y = torch.tensor(1.1), torch.tensor(1.0)
        w, b = torch.tensor(2.2, requires_grad=True), torch.tensor(0.0, requires_grad=True)
        F.binary_cross_entropy(torch.sigmoid(x * w + b), y).backward()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per measurement")
    args = parser.parse_args()
    torch_ms = plain_torch_ms()
    print(f"plain torch in-process, forward+backward: p50 {torch_ms:.3f} ms")
    server = start_server(Path(tempfile.mkdtemp()) / "uvicorn.log", {"cache_bytes": "0"})  # every POST runs
    try:
        for layout in (True, False):
            body = {"program": LOGISTIC_NEURON, "options": {"layout": layout}}
            for concurrency in (1, 8):
                r = measure(server, body, concurrency, args.requests)
                print(
                    f"POST /graph layout={str(layout).lower():5} c={concurrency}: p50 {r['p50']:6.1f} ms  "
                    f"p99 {r['p99']:6.1f} ms  {r['rps']:5.1f} req/s  errors {r['errors']:.0f}  "
                    f"p50/torch {r['p50'] / torch_ms:5.0f}x  cpu/request: server {r['server_cpu']:4.1f} ms, "
                    f"sandbox {r['sandbox_cpu']:4.1f} ms"
                )
    finally:
        stop_server(server)
    targets = f"p50 <= {P50_TARGET_MS:.0f} ms at c=1, >= {THROUGHPUT_TARGET:.0f} req/s at c=8, no errors"
    print(f"targets: {targets}; machine load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

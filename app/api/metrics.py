"""GET /metrics in Prometheus's text format (version 0.0.4): runs, the pool's queue, errors by kind, the
cache, the sandbox children's memory.

Written by hand: every figure already lives in the pool, the cache and these counters, and the format is a
few lines of text; prometheus_client would add a registry and collector classes to say the same."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.api.cache import ResponseCache
from app.api.fairness import ClientLimits
from app.api.gate import Gate
from app.sandbox.pool import Pool

__all__ = ["CONTENT_TYPE", "Metrics", "exposition"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")

Sample = tuple[dict[str, str], float]
TASKS = ("graph", "values", "layout", "diff")  # listed at 0 from the start, as Prometheus likes


@dataclass
class Metrics:
    """Counters the routes and error handlers add to."""

    runs: Counter[str] = field(default_factory=lambda: Counter(dict.fromkeys(TASKS, 0)))  # by task
    errors: Counter[str] = field(default_factory=Counter)  # by error kind

    def count_error(self, kind: str) -> None:
        self.errors[kind] += 1


def exposition(
    metrics: Metrics, pool: Pool, cache: ResponseCache, clients: ClientLimits, layouts: Gate
) -> str:
    """The whole /metrics page."""
    children = pool.children_pids()
    counts = cache.counts
    families = [
        _family("runs_total", "counter", "runs sent to a sandbox child, by task", _by("task", metrics.runs)),
        _family("errors_total", "counter", "error answers, by error kind", _by("kind", metrics.errors)),
        _family("pool_ready", "gauge", "1 while the pool can run a job (/healthz 200)", _one(pool.ready)),
        _family("pool_running", "gauge", "runs in a child now", _one(pool.running)),
        _family("pool_waiting", "gauge", "runs waiting for a worker", _one(pool.waiting)),
        _family(
            "layouts_pending",
            "gauge",
            "POST /layout requests admitted, running or waiting",
            _one(layouts.pending),
        ),
        _family("children", "gauge", "sandbox children alive (spares and runs)", _one(len(children))),
        _family("children_rss_bytes", "gauge", "resident memory of those children", _one(_rss(children))),
        _family("cache_hits_total", "counter", "graphs answered from the cache", _one(counts.hits)),
        _family("cache_shared_total", "counter", "misses answered by an identical run", _one(counts.shared)),
        _family("cache_misses_total", "counter", "graphs that needed a run", _one(counts.misses)),
        _family("cache_evictions_total", "counter", "entries evicted for room", _one(counts.evictions)),
        _family("cache_bytes", "gauge", "bytes of kept graphs", _one(cache.bytes)),
        _family("cache_entries", "gauge", "kept graphs", _one(len(cache))),
        _family(
            "client_limit_refusals_total", "counter", "429s of the per-client limits", _one(clients.refused)
        ),
    ]
    return "".join(families)


def _one(value: float) -> list[Sample]:
    return [({}, value)]


def _rss(pids: Iterable[int]) -> int:
    return sum(_resident_bytes(pid) for pid in pids)


def _resident_bytes(pid: int) -> int:
    """A process's resident memory from /proc (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0


def _by(label: str, counts: Counter[str]) -> list[Sample]:
    return [({label: name}, value) for name, value in sorted(counts.items())]


def _family(suffix: str, kind: str, help_text: str, samples: Iterable[Sample]) -> str:
    name = f"gradtrace_{suffix}"
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        pairs = ",".join(f'{key}="{_escape(text)}"' for key, text in labels.items())
        lines.append(f"{name}{{{pairs}}} {_number(value)}" if pairs else f"{name} {_number(value)}")
    return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

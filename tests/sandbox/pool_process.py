"""A server of its own for the jail tests: starts a Pool in this fresh process (so its fork server starts
here,
with this process's environment and uid), runs the sources given as a JSON list on stdin in its jailed
children, and prints one JSON object: each source's result (or error kind), this process's limits, nice value
and CPU affinity before and after, whether an idle sibling child survived, and the jail report.

In the sources, SERVER, SIBLING and FORK_SERVER_SOCKET stand for this process's pid, an idle child's pid and
the fork server's socket path. Run as `python tests/sandbox/pool_process.py` from the repository root."""

from __future__ import annotations

import json
import multiprocessing.forkserver
import os
import resource
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE), str(HERE.parent)]  # the root, these helpers, tests/

import anyio  # noqa: E402
from pools import run_source, source_pool  # noqa: E402

from app.errors import GradtraceError  # noqa: E402


def state() -> dict[str, Any]:
    return {
        "nofile": resource.getrlimit(resource.RLIMIT_NOFILE),
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "affinity": sorted(os.sched_getaffinity(0)),
    }


async def main() -> None:
    sources = json.load(sys.stdin)
    before = state()
    results: list[Any] = []
    # one spare more than there are sources: runs take the oldest spare, so the newest (the sibling) is never
    # taken by a run (with as many spares as sources, the last run took it and it had often not exited yet)
    async with source_pool(prefork=len(sources) + 1) as pool:
        sibling = pool._idle[False][-1]
        address = multiprocessing.forkserver._forkserver._forkserver_address  # type: ignore[attr-defined]
        for source in sources:
            source = source.replace("FORK_SERVER_SOCKET", repr(address)).replace("SERVER", str(os.getpid()))
            try:
                results.append(await run_source(pool, source.replace("SIBLING", str(sibling.process.pid))))
            except GradtraceError as error:
                results.append({"error": error.kind})
        alive = sibling.alive()
        jail = pool.jail.model_dump() if pool.jail else None
    report = {"results": results, "before": before, "after": state(), "sibling_alive": alive, "jail": jail}
    print(json.dumps(report))


if __name__ == "__main__":
    anyio.run(main)

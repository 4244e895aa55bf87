"""The pool's one job, which serves every kind of task: a tag line names the task, its payload follows.

graph\n<GraphTask JSON>          POST /graph and POST /values (app.sandbox.graph_job)
layout\n<LayoutRequest JSON>     POST /layout, the client's bytes as they came (app.sandbox.layout_job)
diff\n<two graphs JSON>         POST /diff, two runs' answers spliced together (app.sandbox.diff_job)
"""

from __future__ import annotations

from collections.abc import Mapping

from app.errors import InternalError
from app.sandbox.diff_job import run_diff
from app.sandbox.graph_job import run_graph
from app.sandbox.layout_job import run_layout
from app.sandbox.protocol import Job

__all__ = ["DIFF", "GRAPH", "LAYOUT", "serve", "tagged"]

GRAPH, LAYOUT, DIFF = b"graph", b"layout", b"diff"
JOBS: Mapping[bytes, Job] = {GRAPH: run_graph, LAYOUT: run_layout, DIFF: run_diff}


def tagged(tag: bytes, payload: bytes) -> bytes:
    """What the server sends a child for one task."""
    return tag + b"\n" + payload


def serve(message: bytes) -> bytes:
    """Child side: run the task the tag names."""
    tag, _, payload = message.partition(b"\n")
    job = JOBS.get(tag)
    if job is None:
        raise InternalError(f"the server sent an unknown task {tag[:16]!r}")
    return job(payload)

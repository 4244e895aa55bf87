"""The POST /diff job: two runs' graphs, compared in a sandbox child.

The server never parses a graph (a GPT-2 graph is megabytes): it splices the two answers' bytes, as the pool
or the cache gave them, into one payload (`payload`), and a child parses and compares them."""

from __future__ import annotations

import json

from app.diff import diff_graphs
from app.models import DiffResponse

__all__ = ["diff_payload", "run_diff"]


Run = tuple[bytes, str | None, str | None]  # graph JSON bytes, program text, where the graph is kept


def diff_payload(before: Run, after: Run) -> bytes:
    """Server side: both runs in one JSON object, the graphs' bytes spliced in as they are."""
    parts = []
    for name, (graph, source, location) in (("before", before), ("after", after)):
        head = json.dumps({"source": source, "location": location})[:-1]  # left open for the graph
        parts.append(f'"{name}":{head},"graph":'.encode() + graph + b"}")
    return b"{" + b",".join(parts) + b"}"


def run_diff(payload: bytes) -> bytes:
    """Child side: the payload in, DiffResponse JSON out. A generated program (expression, network forms) is
    the graph's own `program`."""
    sides = json.loads(payload)
    before, after = sides["before"], sides["after"]
    diff = diff_graphs(
        before["graph"],
        after["graph"],
        before["source"] or before["graph"].get("program"),
        after["source"] or after["graph"].get("program"),
    )
    for name in ("before", "after"):
        diff[name]["graph"] = sides[name]["location"]
    return DiffResponse.model_validate(diff).model_dump_json().encode()

"""Two graph responses (plain JSON, as the page holds them) -> their nodes matched, with deltas.

A node's program position is the place its span starts (line, column; a line of the earlier program is first
moved to its line in the later one, app.diff.lines), its label (the program's words: `a`, `fc1.weight`), and
how many nodes before it in forward order had that same place and label (the k-th pass of a loop, the k-th
layer of one `model(x)` call). Nodes with equal positions are matched; the op is not part of it, so swapping
`torch.sigmoid` for `torch.relu` keeps the node and shows what changed in it."""

from __future__ import annotations

import math
from typing import Any

from app.diff.lines import align_lines

__all__ = ["diff_graphs", "tensor_delta"]

Json = dict[str, Any]
Position = tuple[int, int, int, str]  # occurrence, line, col, label


def diff_graphs(before: Json, after: Json, before_source: str | None, after_source: str | None) -> Json:
    """The DiffResponse body of two GraphResponse bodies; the sources are the programs that made them (a
    missing one: lines are compared as they are)."""
    lines = align_lines(before_source, after_source) if before_source and after_source else None
    later = {key: node for key, node in _positions(after["nodes"], None)}
    matched, removed, taken = [], [], set()
    for key, node in _positions(before["nodes"], lines):
        twin = later.get(key) if key is not None else None
        if twin is None:
            removed.append(node["id"])
            continue
        taken.add(twin["id"])
        matched.append(
            {
                "before": node["id"],
                "after": twin["id"],
                "label": twin["label"],
                "data": tensor_delta(node.get("data"), twin.get("data")),
                "grad": tensor_delta(node.get("grad"), twin.get("grad")),
            }
        )
    order = {node["id"]: k for k, node in enumerate(after["nodes"])}
    matched.sort(key=lambda pair: order[pair["after"]])
    return {
        "matched": matched,
        "added": [node["id"] for node in after["nodes"] if node["id"] not in taken],
        "removed": removed,
        "before": _side(before),
        "after": _side(after),
    }


def _positions(nodes: list[Json], lines: dict[int, int] | None) -> list[tuple[Position | None, Json]]:
    """Each node with its position (None: its line is gone in the other program)."""
    seen: dict[tuple[int, int, str], int] = {}
    found: list[tuple[Position | None, Json]] = []
    for node in nodes:
        span = node.get("span")
        line, col = (span["line"], span["col"]) if span else (0, -1)
        if lines is not None and line > 0:
            if line not in lines:
                found.append((None, node))
                continue
            line = lines[line]
        place = (line, col, node["label"])
        seen[place] = seen.get(place, -1) + 1
        found.append(((seen[place], *place), node))
    return found


def tensor_delta(before: Json | None, after: Json | None) -> Json | None:
    """How far apart two TensorData are: the largest elementwise |after − before| and that over the largest
    magnitude of either, when both carry all their values in one shape; else the same on their norms. None
    when either is missing or not finite."""
    if before is None or after is None:
        return None
    norms = _norm(before), _norm(after)
    a, b = _flat(before), _flat(after)
    if a is not None and b is not None and before["shape"] == after["shape"]:
        if not all(math.isfinite(v) for v in (*a, *b)):
            return None
        gap = max((abs(y - x) for x, y in zip(a, b, strict=True)), default=0.0)
        scale = max((abs(v) for v in (*a, *b)), default=0.0)
        basis = "values"
    elif norms[0] is not None and norms[1] is not None:
        gap, scale, basis = abs(norms[1] - norms[0]), max(norms), "norm"
    else:
        return None
    return {
        "abs": float(gap),
        "rel": float(gap / scale) if scale > 0 else 0.0,
        "basis": basis,
        "before_norm": norms[0],
        "after_norm": norms[1],
    }


def _side(graph: Json) -> Json:
    loss = graph.get("outputs", {}).get("loss")
    return {"nodes": len(graph["nodes"]), "loss": loss}


def _norm(data: Json) -> float | None:
    """The norm of the tensor's stats, when it is a finite number."""
    norm = (data.get("stats") or {}).get("norm")
    value = float(norm) if norm is not None else math.nan
    return value if math.isfinite(value) else None


def _flat(data: Json) -> list[float] | None:
    """All of a tensor's values in row-major order; None when it was sent truncated."""
    values = data.get("values")
    if values is None or data.get("truncated"):
        return None
    flat: list[float] = []
    stack = [values]
    while stack:  # iterative: nesting is as deep as the tensor's rank, which the client controls
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            flat.append(float(item))  # "NaN", "Infinity" and big-integer strings too
    return flat


"""Two graph responses (plain JSON, as the page holds them) -> their nodes matched, with deltas.

A node's program position is the place its span starts (line, column; a line of the earlier program is first
moved to its line in the later one, app.diff.lines), its label (the program's words: `a`, `fc1.weight`), and
how many nodes before it in forward order had that same place and label (the k-th pass of a loop, the k-th
layer of one `model(x)` call). Nodes with equal positions are matched; the op is not part of it, so swapping
`torch.sigmoid` for `torch.relu` keeps the node and shows what changed in it. The nodes left over are then
matched by column and label alone (a line edited next to an inserted one: the paired lines are off by one)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from app.diff.lines import align_lines

__all__ = ["diff_graphs", "tensor_delta"]

Json = dict[str, Any]
Place = tuple[int | str, ...] | None  # (line, col, label) or (col, label); None: nowhere in the other run


def diff_graphs(before: Json, after: Json, before_source: str | None, after_source: str | None) -> Json:
    """The DiffResponse body of two GraphResponse bodies; the sources are the programs that made them (a
    missing one: lines are compared as they are)."""
    lines = align_lines(before_source, after_source) if before_source and after_source else None
    pairs = _pair(
        before["nodes"], after["nodes"], lambda node: _place(node, lines), lambda node: _place(node, None)
    )
    taken = set(pairs.values())
    pairs |= _pair(
        [node for node in before["nodes"] if node["id"] not in pairs],
        [node for node in after["nodes"] if node["id"] not in taken],
        _name,
        _name,
    )
    earlier = {node["id"]: node for node in before["nodes"]}
    twin = {later: earlier[first] for first, later in pairs.items()}
    return {
        "matched": [_match(twin[node["id"]], node) for node in after["nodes"] if node["id"] in twin],
        "added": [node["id"] for node in after["nodes"] if node["id"] not in twin],
        "removed": [node["id"] for node in before["nodes"] if node["id"] not in pairs],
        "before": _side(before),
        "after": _side(after),
    }


def _pair(
    before: list[Json],
    after: list[Json],
    place_before: Callable[[Json], Place],
    place_after: Callable[[Json], Place],
) -> dict[str, str]:
    """Node id before -> node id after, for nodes at equal places that are the same occurrence of it (the k-th
    node there in forward order: the k-th pass of a loop, the k-th layer of one `model(x)`)."""
    later = dict(_occurrences(after, place_after))
    return {node["id"]: later[key]["id"] for key, node in _occurrences(before, place_before) if key in later}


def _occurrences(nodes: list[Json], place: Callable[[Json], Place]) -> list[tuple[tuple[int, Place], Json]]:
    seen: dict[Place, int] = {}
    found: list[tuple[tuple[int, Place], Json]] = []
    for node in nodes:
        where = place(node)
        if where is not None:
            seen[where] = seen.get(where, -1) + 1
            found.append(((seen[where], where), node))
    return found


def _place(node: Json, lines: dict[int, int] | None) -> Place:
    """Where the node's code starts and its label; a line of the earlier program moved to the later one's
    (None: that line is gone)."""
    span = node.get("span")
    line, col = (span["line"], span["col"]) if span else (0, -1)
    if lines is not None and line > 0:
        if line not in lines:
            return None
        line = lines[line]
    return (line, col, node["label"])


def _name(node: Json) -> Place:
    span = node.get("span")
    return (span["col"] if span else -1, node["label"])


def _match(before: Json, after: Json) -> Json:
    return {
        "before": before["id"],
        "after": after["id"],
        "label": after["label"],
        "data": tensor_delta(before.get("data"), after.get("data")),
        "grad": tensor_delta(before.get("grad"), after.get("grad")),
    }


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
        gap, scale, basis = abs(norms[1] - norms[0]), max(norms[0], norms[1]), "norm"
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

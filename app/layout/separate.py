"""Push apart sibling group frames that overlap, by widening the rows one of them spans.

Rows keep each group's items together and siblings in one order (clusters.py), but a frame spans every
row its group uses, so `wte` can reach over `wpe` from a row where `wpe` has nothing. Shifting the right
sibling's part of each of its rows (and everything after it in those rows) keeps every row's order and
gaps, only wider, so no new overlap appears among the items themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.layout.ordering import Layered
from app.layout.placement import GROUP_PAD, NODE_GAP, RowItems

ROUNDS = 32  # at most this many pushes; each clears one overlapping pair


@dataclass
class Extent:
    """A group's frame across: left and right edge (px) and its first and last row."""

    left: float
    right: float
    first: int
    last: int
    parent: str | None


def extents(x: Sequence[float], layered: Layered, items: RowItems) -> dict[str, Extent]:
    """The horizontal extent and row span of each expanded group's frame (as frames.py will draw it)."""
    found: dict[str, Extent] = {}
    for item in range(layered.vertex_count):
        chain, row, half = items.chain[item], layered.layer[item], items.width[item] / 2
        for depth, gid in enumerate(chain):
            pad = GROUP_PAD * (len(chain) - depth)
            left, right = x[item] - half - pad, x[item] + half + pad
            now = found.get(gid)
            if now is None:
                found[gid] = Extent(left, right, row, row, chain[depth - 1] if depth else None)
            else:
                now.left, now.right = min(now.left, left), max(now.right, right)
                now.first, now.last = min(now.first, row), max(now.last, row)
    return found


def first_overlap(found: dict[str, Extent]) -> tuple[str, float] | None:
    """The right-hand group of the first overlapping sibling pair, and how far it must move."""
    siblings: dict[str | None, list[str]] = {}
    for gid, extent in found.items():
        siblings.setdefault(extent.parent, []).append(gid)
    for members in siblings.values():
        members.sort(key=lambda gid: (found[gid].left + found[gid].right, gid))
        for index, gid in enumerate(members):
            a = found[gid]
            for other in members[index + 1 :]:
                b = found[other]
                if a.first <= b.last and b.first <= a.last and b.left < a.right + NODE_GAP:
                    return other, a.right + NODE_GAP - b.left
    return None


def separate_siblings(x: list[float], layered: Layered, items: RowItems) -> None:
    """Move right-hand siblings (and what follows them in their rows) until no sibling frames overlap."""
    for _ in range(ROUNDS):
        overlap = first_overlap(extents(x, layered, items))
        if overlap is None:
            return
        gid, distance = overlap
        for row in layered.rows:
            start = next((i for i, item in enumerate(row) if gid in items.chain[item]), None)
            if start is not None:
                for item in row[start:]:
                    x[item] += distance

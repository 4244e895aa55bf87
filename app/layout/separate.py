"""Push apart sibling group frames that overlap, by widening the rows one of them spans.

Rows keep each group's items together and siblings in one order (clusters.py), but a frame spans every
row its group uses, so `wte` can reach over `wpe` from a row where `wpe` has nothing. Shifting the right
sibling's part of each of its rows (and everything after it in those rows) keeps every row's order and
gaps, only wider, so no new overlap appears among the items themselves.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from app.layout.ordering import Layered
from app.layout.placement import GROUP_PAD, NODE_GAP, RowItems

ROUNDS = 32  # at most this many pushes; each clears one overlapping pair


class Frames:
    """Every expanded group's frame (as frames.py will draw it) over one layering. Pushes only widen rows, so
    a frame's rows never change and only its left and right edges are measured again, for all groups at once
    from one array of (item, group) memberships: a 10,000-node graph has ~1,400 groups and 30,000 of them."""

    def __init__(self, layered: Layered, items: RowItems) -> None:
        self.layered = layered
        self.items = items
        members: dict[str, list[tuple[int, float, float]]] = {}
        self.parent: dict[str, str | None] = {}
        for item in range(layered.vertex_count):
            chain, half = items.chain[item], items.width[item] / 2
            for depth, gid in enumerate(chain):
                members.setdefault(gid, []).append((item, half, GROUP_PAD * (len(chain) - depth)))
                self.parent.setdefault(gid, chain[depth - 1] if depth else None)
        self.ids = list(members)
        self.position = {gid: index for index, gid in enumerate(self.ids)}
        pairs = [pair for gid in self.ids for pair in members[gid]]
        self._item = np.array([item for item, _, _ in pairs], dtype=np.intp)
        self._half = np.array([half for _, half, _ in pairs], dtype=float)
        self._pad = np.array([pad for _, _, pad in pairs], dtype=float)
        sizes = [len(members[gid]) for gid in self.ids]
        self._starts = np.cumsum([0, *sizes[:-1]], dtype=np.intp)
        rows = np.array(layered.layer, dtype=np.intp)[self._item] if pairs else np.zeros(0, dtype=np.intp)
        self.first = np.minimum.reduceat(rows, self._starts) if pairs else rows
        self.last = np.maximum.reduceat(rows, self._starts) if pairs else rows
        self._rows_of: dict[str, list[tuple[int, int]]] = {}

    def sides(self, x: list[float]) -> tuple[np.ndarray, np.ndarray]:
        """Left and right edge (px) of every frame, in `ids` order."""
        if not self.ids:
            return np.zeros(0), np.zeros(0)
        centre = np.asarray(x, dtype=float)[self._item]
        left = np.minimum.reduceat(centre - self._half - self._pad, self._starts)
        right = np.maximum.reduceat(centre + self._half + self._pad, self._starts)
        return left, right

    @cached_property
    def siblings(self) -> list[list[int]]:
        """Groups (by position) that share a parent: only siblings are pushed apart."""
        by_parent: dict[str | None, list[int]] = {}
        for index, gid in enumerate(self.ids):
            by_parent.setdefault(self.parent[gid], []).append(index)
        return list(by_parent.values())

    def first_overlap(self, x: list[float]) -> tuple[str, float] | None:
        """The right-hand group of the first overlapping sibling pair, and how far it must move."""
        left, right = self.sides(x)
        middle = left + right
        for members in self.siblings:
            members.sort(key=lambda index: (middle[index], self.ids[index]))
            for at, a in enumerate(members):
                for b in members[at + 1 :]:
                    spans = self.first[a] <= self.last[b] and self.first[b] <= self.last[a]
                    if spans and left[b] < right[a] + NODE_GAP:
                        return self.ids[b], float(right[a] + NODE_GAP - left[b])
        return None

    def rows_from(self, gid: str) -> list[tuple[int, int]]:
        """(row, index of the group's first item in it) for each row the group has items in; fixed, since
        pushes keep every row's order."""
        if gid not in self._rows_of:
            chains = self.items.chain
            found = []
            for number, row in enumerate(self.layered.rows):
                start = next((i for i, item in enumerate(row) if gid in chains[item]), None)
                if start is not None:
                    found.append((number, start))
            self._rows_of[gid] = found
        return self._rows_of[gid]


def separate_siblings(x: list[float], layered: Layered, items: RowItems) -> None:
    """Move right-hand siblings (and what follows them in their rows) until no sibling frames overlap."""
    frames = Frames(layered, items)
    for _ in range(ROUNDS):
        overlap = frames.first_overlap(x)
        if overlap is None:
            return
        gid, distance = overlap
        for number, start in frames.rows_from(gid):
            for item in layered.rows[number][start:]:
                x[item] += distance

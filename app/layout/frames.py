"""Group boxes: each expanded group's frame around its visible members, nested frames inside their parents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.layout.bands import LABEL_H
from app.layout.placement import GROUP_PAD


@dataclass(frozen=True)
class Box:
    """A rectangle by its top-left corner and size, in px."""

    x: float
    y: float
    w: float
    h: float

    def centre(self) -> Box:
        """A zero-size box at this box's centre: where hidden members are put."""
        return Box(self.x + self.w / 2, self.y + self.h / 2, 0.0, 0.0)


def frames(boxes: Sequence[Box], chains: Sequence[tuple[str, ...]]) -> dict[str, Box]:
    """Frame of every expanded group that has a visible box: one pad per nesting level, plus a label band."""
    bounds: dict[str, list[float]] = {}  # gid -> [left, top, right, bottom]
    parent: dict[str, str | None] = {}
    for box, chain in zip(boxes, chains, strict=True):
        if chain:
            _widen(bounds, chain[-1], [box.x, box.y, box.x + box.w, box.y + box.h])
            for depth, gid in enumerate(chain):
                parent.setdefault(gid, chain[depth - 1] if depth else None)
    for gid in sorted(parent, key=lambda g: -len(_ancestry(parent, g))):  # children before parents
        left, top, right, bottom = bounds[gid]
        framed = [left - GROUP_PAD, top - GROUP_PAD - LABEL_H, right + GROUP_PAD, bottom + GROUP_PAD]
        bounds[gid] = framed
        outer = parent[gid]
        if outer is not None:
            _widen(bounds, outer, framed)
    return {
        gid: Box(left, top, right - left, bottom - top) for gid, (left, top, right, bottom) in bounds.items()
    }


def _widen(bounds: dict[str, list[float]], gid: str, edges: list[float]) -> None:
    """Grow a group's [left, top, right, bottom] to cover `edges`."""
    current = bounds.setdefault(gid, list(edges))
    current[0], current[1] = min(current[0], edges[0]), min(current[1], edges[1])
    current[2], current[3] = max(current[2], edges[2]), max(current[3], edges[3])


def _ancestry(parent: dict[str, str | None], gid: str) -> list[str]:
    """gid and the groups above it."""
    path = [gid]
    while (up := parent[path[-1]]) is not None:
        path.append(up)
    return path

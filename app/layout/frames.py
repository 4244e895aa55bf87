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
    for box, chain in zip(boxes, chains, strict=True):
        for depth, gid in enumerate(chain):
            levels = len(chain) - depth  # frames between this box and gid's frame, gid's own included
            pad = GROUP_PAD * levels
            edges = [
                box.x - pad,
                box.y - (GROUP_PAD + LABEL_H) * levels,
                box.x + box.w + pad,
                box.y + box.h + pad,
            ]
            current = bounds.setdefault(gid, edges)
            current[:] = [
                min(current[0], edges[0]),
                min(current[1], edges[1]),
                max(current[2], edges[2]),
                max(current[3], edges[3]),
            ]
    return {
        gid: Box(left, top, right - left, bottom - top) for gid, (left, top, right, bottom) in bounds.items()
    }

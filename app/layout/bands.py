"""Vertical coordinates: one band per layer, with room between bands for group frames and their labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.layout.placement import GROUP_PAD

MARGIN = 20.0  # px around the whole drawing
LAYER_GAP = 36.0  # px between two bands, before group frames are added
LABEL_H = 18.0  # px a group frame keeps above its members for its label


@dataclass(frozen=True)
class Bands:
    """Top and height of each layer's band; a box is centred vertically in its band."""

    top: list[float]
    height: list[float]


def group_spans(layer: Sequence[int], chains: Sequence[tuple[str, ...]]) -> dict[str, tuple[int, int]]:
    """First and last layer holding a box of each expanded group."""
    spans: dict[str, tuple[int, int]] = {}
    for row, chain in zip(layer, chains, strict=True):
        for gid in chain:
            first, last = spans.get(gid, (row, row))
            spans[gid] = (min(first, row), max(last, row))
    return spans


def frame_counts(
    layer: Sequence[int], chains: Sequence[tuple[str, ...]], rows: int
) -> tuple[list[int], list[int]]:
    """Per layer: most frames opening above one box there, and most frames closing below one box there."""
    spans = group_spans(layer, chains)
    opening, closing = [0] * rows, [0] * rows
    for row, chain in zip(layer, chains, strict=True):
        opening[row] = max(opening[row], sum(1 for gid in chain if spans[gid][0] == row))
        closing[row] = max(closing[row], sum(1 for gid in chain if spans[gid][1] == row))
    return opening, closing


def make_bands(
    layer: Sequence[int], heights: Sequence[float], chains: Sequence[tuple[str, ...]], rows: int
) -> Bands:
    """Stack the bands top-down; `layer`, `heights`, `chains` describe the real boxes only (not dummies)."""
    height = [0.0] * rows
    for row, box_height in zip(layer, heights, strict=True):
        height[row] = max(height[row], box_height)
    opening, closing = frame_counts(layer, chains, rows)
    top: list[float] = []
    cursor = MARGIN
    for row in range(rows):
        cursor += opening[row] * (GROUP_PAD + LABEL_H)
        top.append(cursor)
        cursor += height[row] + LAYER_GAP + closing[row] * GROUP_PAD
    return Bands(top, height)

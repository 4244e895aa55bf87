"""Horizontal coordinates with real widths: keep igraph's order, never overlap, pull edges straight.

Each row is placed by isotonic regression (pool adjacent violators): the positions closest, in weighted
least squares, to the desired ones that keep every neighbour pair at least its separation apart. Desired
positions come from igraph first, then from the neighbours above (down sweep) and below (up sweep).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.layout.ordering import Layered

NODE_GAP = 24.0  # px between two boxes side by side
EDGE_GAP = 10.0  # px between an edge's dummy and anything beside it
GROUP_PAD = 10.0  # px a group frame adds around its members, per nesting level
DUMMY_WEIGHT = 4.0  # long edges prefer straight lines over nodes keeping their place
SWEEPS = 2  # at most this many down+up rounds; on GPT-2 the second changes items by < 6 px
SETTLED = 0.5  # px: stop once a whole round moves no item more than this


@dataclass(frozen=True)
class RowItems:
    """What placement needs to know about each item (vertices and dummies)."""

    width: list[float]
    chain: list[tuple[str, ...]]  # expanded groups around the item, outermost first
    is_dummy: list[bool]


def separation(items: RowItems, left: int, right: int) -> float:
    """Least centre distance between two row neighbours: half widths, a gap, and one pad per group frame."""
    gap = EDGE_GAP if items.is_dummy[left] or items.is_dummy[right] else NODE_GAP
    a, b = items.chain[left], items.chain[right]
    shared = 0
    while shared < min(len(a), len(b)) and a[shared] == b[shared]:
        shared += 1
    frames = len(a) + len(b) - 2 * shared
    return (items.width[left] + items.width[right]) / 2 + gap + GROUP_PAD * frames


def fit_row(desired: Sequence[float], weight: Sequence[float], gaps: Sequence[float]) -> list[float]:
    """Weighted least-squares positions with x[i+1] - x[i] >= gaps[i] (pool adjacent violators)."""
    offset = [0.0]
    for gap in gaps:
        offset.append(offset[-1] + gap)
    sums: list[float] = []  # per pooled block: weighted sum of (desired - offset)
    masses: list[float] = []  # per pooled block: total weight
    counts: list[int] = []  # per pooled block: items
    for value, w, off in zip(desired, weight, offset, strict=True):
        sums.append((value - off) * w)
        masses.append(w)
        counts.append(1)
        while len(sums) > 1 and sums[-2] * masses[-1] >= sums[-1] * masses[-2]:
            total, mass, count = sums.pop(), masses.pop(), counts.pop()
            sums[-1] += total
            masses[-1] += mass
            counts[-1] += count
    fitted: list[float] = []
    for total, mass, count in zip(sums, masses, counts, strict=True):
        fitted.extend([total / mass] * count)
    return [value + off for value, off in zip(fitted, offset, strict=True)]


def fits(desired: Sequence[float], gaps: Sequence[float]) -> bool:
    """True when the desired positions already keep every gap (the common case after a few sweeps)."""
    return all(right - left >= gap for left, right, gap in zip(desired, desired[1:], gaps, strict=False))


def place(layered: Layered, items: RowItems) -> list[float]:
    """Centre x of every item: igraph's order and spacing first, then sweeps toward neighbours' mean."""
    rows = layered.rows
    gaps = [[separation(items, a, b) for a, b in zip(row, row[1:], strict=False)] for row in rows]
    weights = [[DUMMY_WEIGHT if items.is_dummy[item] else 1.0 for item in row] for row in rows]
    unit = sum(items.width[: layered.vertex_count]) / max(layered.vertex_count, 1) + NODE_GAP
    x = [value * unit for value in layered.igraph_x]
    downward = list(zip(rows, weights, gaps, strict=True))
    for row, row_weights, row_gaps in downward:
        _assign(x, row, [x[item] for item in row], row_weights, row_gaps)
    upper, lower = _neighbours(layered)
    for _ in range(SWEEPS):
        before = list(x)
        _sweep(x, downward, upper)
        _sweep(x, downward[::-1], lower)
        if max(abs(new - old) for new, old in zip(x, before, strict=True)) < SETTLED:
            break
    return x


def _sweep(
    x: list[float], rows: list[tuple[list[int], list[float], list[float]]], near: list[list[int]]
) -> float:
    """Move each row, in the given order, toward its neighbours in the row before; the largest move in px."""
    moved = 0.0
    for row, row_weights, row_gaps in rows:
        before = [x[item] for item in row]
        _assign(x, row, _pull(x, row, near), row_weights, row_gaps)
        moved = max(moved, max(abs(x[item] - old) for item, old in zip(row, before, strict=True)))
    return moved


def _assign(
    x: list[float], row: list[int], desired: list[float], weights: list[float], gaps: list[float]
) -> None:
    """Write the fitted positions of one row into x (unchanged when they already keep their gaps)."""
    fitted = desired if fits(desired, gaps) else fit_row(desired, weights, gaps)
    for item, value in zip(row, fitted, strict=True):
        x[item] = value


def _pull(x: list[float], row: list[int], neighbours: list[list[int]]) -> list[float]:
    """Desired positions: the mean x of each item's neighbours in the adjacent row, or where it is now."""
    desired = []
    for item in row:
        near = neighbours[item]
        desired.append(sum(x[n] for n in near) / len(near) if near else x[item])
    return desired


def _neighbours(layered: Layered) -> tuple[list[list[int]], list[list[int]]]:
    """Per item: the items one row above and one row below it along the routes."""
    count = len(layered.layer)
    upper: list[list[int]] = [[] for _ in range(count)]
    lower: list[list[int]] = [[] for _ in range(count)]
    for route in layered.routes:
        for above, below in zip(route, route[1:], strict=False):
            upper[below].append(above)
            lower[above].append(below)
    return upper, lower

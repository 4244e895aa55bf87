"""Keep each group's boxes side by side in every row, and sibling groups in one left-to-right order.

igraph orders rows to reduce crossings but knows nothing of modules, so it may interleave `wte` and `wpe`
or put an outside node between two members of `fc1`; frames drawn around such members would cover
strangers. Sorting each row by (group position, ..., own position) keeps groups contiguous.
"""

from __future__ import annotations

from collections.abc import Sequence


def group_positions(
    chains: Sequence[tuple[str, ...]], x: Sequence[float], vertex_count: int
) -> dict[str, float]:
    """Mean x of the vertices (not dummies) inside each group: where the group sits as a whole."""
    total: dict[str, float] = {}
    count: dict[str, int] = {}
    for item in range(vertex_count):
        for gid in chains[item]:
            total[gid] = total.get(gid, 0.0) + x[item]
            count[gid] = count.get(gid, 0) + 1
    return {gid: total[gid] / count[gid] for gid in total}


def cluster_rows(
    rows: Sequence[list[int]], chains: Sequence[tuple[str, ...]], x: Sequence[float], vertex_count: int
) -> list[list[int]]:
    """Each row re-sorted so that members of a group are adjacent, groups ordered by their position."""
    position = group_positions(chains, x, vertex_count)
    rank = {gid: index for index, gid in enumerate(sorted(position))}  # ties between equal positions

    def key(item: int) -> list[tuple[float, int, int]]:
        path = [(position.get(gid, x[item]), 0, rank.get(gid, -1)) for gid in chains[item]]
        return [*path, (x[item], 1, item)]

    return [sorted(row, key=key) for row in rows]

"""Layer assignment: every vertex gets a row, each edge points down, leaves sit just above their first use."""

from __future__ import annotations

import heapq
from collections.abc import Sequence


def topological_order(count: int, pairs: Sequence[tuple[int, int]]) -> list[int]:
    """Kahn's order, smallest index first; a cycle (made by collapsing) is broken at its smallest vertex."""
    indegree = [0] * count
    successors: list[list[int]] = [[] for _ in range(count)]
    for source, target in pairs:
        successors[source].append(target)
        indegree[target] += 1
    ready = [vertex for vertex in range(count) if indegree[vertex] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    placed = [False] * count
    while len(order) < count:
        if not ready:
            heapq.heappush(ready, next(v for v in range(count) if not placed[v]))
        vertex = heapq.heappop(ready)
        if placed[vertex]:
            continue
        placed[vertex] = True
        order.append(vertex)
        for target in successors[vertex]:
            indegree[target] -= 1
            if indegree[target] == 0 and not placed[target]:
                heapq.heappush(ready, target)
    return order


def downward_pairs(order: Sequence[int], pairs: Sequence[tuple[int, int]]) -> list[bool]:
    """Per pair: True when it follows the topological order (False only for edges that closed a cycle)."""
    position = [0] * len(order)
    for rank, vertex in enumerate(order):
        position[vertex] = rank
    return [position[source] < position[target] for source, target in pairs]


def assign_layers(
    order: Sequence[int],
    pairs: Sequence[tuple[int, int]],
    down: Sequence[bool],
    chains: Sequence[tuple[str, ...]],
) -> list[int]:
    """Longest path from the top for the main computation; side vertices just above their first use.

    The main computation is what descends from the main input (where the longest path starts); side
    vertices are the other leaves (parameters, buffers, targets) and what is made from them alone (a
    weight's transpose, a mask's slices). Pulled down, a weight used in block 11 sits in block 11, not at
    the top of a 470-layer drawing (igraph's own layering left ~36,000 dummy vertices on GPT-2, this
    ~1,000). They also stay below whatever feeds their module, so `ln_f.weight` never shares a row with
    the last block and the `ln_f` frame never covers it.
    """
    graph = _Adjacency(len(order), pairs, down)
    main = main_input(order, graph.predecessors)
    side = [not graph.predecessors[vertex] and vertex != main for vertex in range(len(order))]
    layer = [0] * len(order)  # final for main vertices; the lowest allowed for side ones
    entry: dict[str, int] = {}  # group -> first layer below what feeds it
    for vertex in order:
        above = graph.predecessors[vertex]
        if above:
            side[vertex] = all(side[p] for p in above)
        floor = max((entry.get(gid, 0) for gid in chains[vertex]), default=0) if side[vertex] else 0
        layer[vertex] = max([floor, *(layer[p] + 1 for p in above)])
        if not side[vertex]:
            _enter(entry, chains, vertex, graph.successors[vertex], layer[vertex] + 1)
    for vertex in reversed(order):
        if side[vertex] and graph.successors[vertex]:
            layer[vertex] = min(layer[s] for s in graph.successors[vertex]) - 1
    return compact(layer)


def main_input(order: Sequence[int], predecessors: list[list[int]]) -> int | None:
    """The leaf where the longest path starts (ties: the lowest index), found by walking back from its end."""
    depth = [0] * len(order)
    for vertex in order:
        depth[vertex] = max((depth[p] + 1 for p in predecessors[vertex]), default=0)
    if not order:
        return None
    vertex = min(range(len(order)), key=lambda v: (-depth[v], v))
    while predecessors[vertex]:
        vertex = min(p for p in predecessors[vertex] if depth[p] == depth[vertex] - 1)
    return vertex


class _Adjacency:
    """Predecessors and successors along the downward pairs."""

    def __init__(self, count: int, pairs: Sequence[tuple[int, int]], down: Sequence[bool]) -> None:
        self.predecessors: list[list[int]] = [[] for _ in range(count)]
        self.successors: list[list[int]] = [[] for _ in range(count)]
        for (source, target), is_down in zip(pairs, down, strict=True):
            if is_down:
                self.predecessors[target].append(source)
                self.successors[source].append(target)


def _enter(
    entry: dict[str, int], chains: Sequence[tuple[str, ...]], vertex: int, targets: list[int], row: int
) -> None:
    """Record `row` as the first layer of every group that an edge from `vertex` enters."""
    inside = set(chains[vertex])
    for target in targets:
        for gid in chains[target]:
            if gid not in inside and row < entry.get(gid, row + 1):
                entry[gid] = row


def compact(layer: Sequence[int]) -> list[int]:
    """Renumber the layers in use as 0, 1, 2, ... (floors can leave a layer empty)."""
    rank = {value: index for index, value in enumerate(sorted(set(layer)))}
    return [rank[value] for value in layer]

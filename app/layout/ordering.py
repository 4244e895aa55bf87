"""Order within layers: igraph's Sugiyama crossing reduction, with its dummy vertices kept as route items."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import igraph

MAX_DUMMIES = 20_000  # route points for long edges; GPT-2 124M needs ~1,200
CROSSING_ITERATIONS = 10  # igraph barycenter sweeps; 10 to 100 gave identical GPT-2 drawings (measured)
# igraph's Sugiyama recurses in C: a 10,000-node random DAG needs ~12 MB of stack (measured), more than a main
# thread's 8 MB, which it overflowed (a segfault); reserved address space, touched only as deep as it goes
SUGIYAMA_STACK_BYTES = 64 << 20

T = TypeVar("T")


@dataclass
class Layered:
    """Items are the vertices (0..V-1) followed by dummy vertices, one per layer a long edge crosses."""

    vertex_count: int
    layer: list[int]  # per item
    rows: list[list[int]]  # per layer: items from left to right
    routes: list[list[int]]  # per pair: items from source to target; [] when drawn straight (see below)
    igraph_x: list[float]  # per item: igraph's abscissa, the starting point for real widths


def order_layers(layer: Sequence[int], pairs: Sequence[tuple[int, int]], down: Sequence[bool]) -> Layered:
    """Run igraph with our layers; turn its control points into dummy items so edges get real routes.

    Pairs that are not routed (upward ones, closing a cycle, and the longest ones beyond the dummy
    budget) are left out of igraph and drawn as straight lines.
    """
    count = len(layer)
    routed = within_budget(layer, pairs, down)
    graph = igraph.Graph(
        n=count, edges=[pair for pair, ok in zip(pairs, routed, strict=True) if ok], directed=True
    )
    drawing = _on_deep_stack(lambda: graph.layout_sugiyama(layers=list(layer), maxiter=CROSSING_ITERATIONS))
    result = Layered(count, list(layer), [], [], [float(x) for x, _ in drawing.coords])
    bends = iter(drawing.edge_routing)
    for pair, ok in zip(pairs, routed, strict=True):
        result.routes.append(_route(result, pair, next(bends)) if ok else [])
    result.rows = _rows(result)
    return result


def _on_deep_stack(work: Callable[[], T]) -> T:
    """`work()` on a thread of its own with SUGIYAMA_STACK_BYTES of stack; its exception raised here."""
    previous = threading.stack_size(SUGIYAMA_STACK_BYTES)
    try:
        pool = ThreadPoolExecutor(1, thread_name_prefix="sugiyama")
        done = pool.submit(work)  # the thread starts here, with the stack size set above
    finally:
        threading.stack_size(previous)
    try:
        return done.result()
    finally:
        pool.shutdown()


def within_budget(layer: Sequence[int], pairs: Sequence[tuple[int, int]], down: Sequence[bool]) -> list[bool]:
    """Which downward pairs get dummies: all, unless that passes MAX_DUMMIES; then the longest go straight.

    One weight reused by every step of a long loop (an RNN) would otherwise need dummies quadratic in
    the number of steps.
    """
    spans = [layer[t] - layer[s] - 1 if is_down else 0 for (s, t), is_down in zip(pairs, down, strict=True)]
    routed = list(down)
    excess = sum(spans) - MAX_DUMMIES
    for index in sorted(range(len(pairs)), key=lambda i: (-spans[i], i)):
        if excess <= 0:
            break
        routed[index] = False
        excess -= spans[index]
    return routed


def _route(result: Layered, pair: tuple[int, int], bends: Sequence[Sequence[float]]) -> list[int]:
    """[source, dummy, ..., target]: one new dummy item per control point, on the point's layer."""
    route = [pair[0]]
    for x, y in bends:
        route.append(len(result.layer))
        result.layer.append(round(y))
        result.igraph_x.append(float(x))
    route.append(pair[1])
    return route


def _rows(result: Layered) -> list[list[int]]:
    """Items of each layer sorted by igraph's x; ties (igraph stacks some) broken by item index."""
    rows: list[list[int]] = [[] for _ in range(max(result.layer, default=-1) + 1)]
    for item, index in enumerate(result.layer):
        rows[index].append(item)
    for row in rows:
        row.sort(key=lambda item: (result.igraph_x[item], item))
    return rows

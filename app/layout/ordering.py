"""Order within layers: igraph's Sugiyama crossing reduction, with its dummy vertices kept as route items."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import igraph

MAX_DUMMIES = 20_000  # route points for long edges; GPT-2 124M needs ~1,200
CROSSING_ITERATIONS = 10  # igraph barycenter sweeps; 10 to 100 gave identical GPT-2 drawings (measured)


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
    xs, routing = _sugiyama(layer, [pair for pair, ok in zip(pairs, routed, strict=True) if ok])
    result = Layered(count, list(layer), [], [], xs)
    bends = iter(routing)
    for pair, ok in zip(pairs, routed, strict=True):
        points = next(bends) if ok else []
        result.routes.append(_route(result, pair, points) if ok and _crosses(layer, pair, points) else [])
    result.rows = _rows(result)
    return result


def _sugiyama(
    layer: Sequence[int], edges: list[tuple[int, int]]
) -> tuple[list[float], list[list[tuple[float, float]]]]:
    """igraph's abscissa of each vertex and the control points (x, layer) of each edge.

    igraph 1.0 lays out each weakly connected component apart and then hands each component's dummy vertices
    to edges by their index in the whole graph: with more than one component the control points land on the
    wrong edges (a 1-layer edge with 35 points; layers past the last; NaN; once a 20 GB row table). So a graph
    of several components with dummy vertices reaches igraph as one: a hub vertex on a new top layer with an
    edge to the topmost vertex of each component (whose control points are ignored)."""
    count = len(layer)
    components = igraph.Graph(n=count, edges=edges).connected_components().membership if count else []
    tops: dict[int, int] = {}
    for vertex, component in enumerate(components):
        if component not in tops or layer[vertex] < layer[tops[component]]:
            tops[component] = vertex
    joined = len(tops) > 1 and any(layer[t] - layer[s] > 1 for s, t in edges)  # only dummies are misplaced
    shift = 1 if joined else 0
    hub = [(count, top) for top in tops.values()] if joined else []
    graph = igraph.Graph(n=count + shift, edges=edges + hub, directed=True)
    layers = [value + shift for value in layer] + [0] * shift
    drawing = graph.layout_sugiyama(layers=layers, maxiter=CROSSING_ITERATIONS)
    xs = [float(x) for x, _ in drawing.coords[:count]]
    routing = [[(x, y - shift) for x, y in points] for points in drawing.edge_routing[: len(edges)]]
    return xs, routing


def _crosses(layer: Sequence[int], pair: tuple[int, int], bends: Sequence[Sequence[float]]) -> bool:
    """Whether igraph's control points of a routed pair are one per layer it crosses, in order: a C library's
    answer is checked before rows are built from it (wrong points once made a 20 GB row table); a pair whose
    points are not is drawn straight."""
    first = layer[pair[0]] + 1
    if len(bends) != layer[pair[1]] - first:
        return False
    return all(y == first + step and math.isfinite(x) for step, (x, y) in enumerate(bends))


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

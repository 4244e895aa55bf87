"""What is drawn after collapsing: visible nodes and collapsed-group boxes, and the edges between them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from app.errors import InvalidRequest
from app.layout.groups import GroupTree
from app.models import GraphResponse


@dataclass(frozen=True)
class Vertex:
    """One box of the drawing: a graph node (`node` set) or a collapsed group (`group` set)."""

    node: int | None  # index into graph.nodes
    group: str | None  # id of the collapsed group this box stands for
    chain: tuple[str, ...]  # expanded groups around the box, outermost first


@dataclass
class VisibleGraph:
    """The collapsed view: vertices in first-appearance order and distinct edges between them."""

    vertices: list[Vertex] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (source vertex, target vertex), distinct
    edge_pair: list[int | None] = field(default_factory=list)  # per graph edge; None: inside one box
    node_vertex: list[int] = field(default_factory=list)  # per graph node: its vertex (itself or its box)


def collapsed_ids(graph: GraphResponse, collapsed: Collection[str] | None) -> set[str]:
    """The collapse state asked for: the given ids, or each group's own flag when None."""
    if collapsed is None:
        return {group.id for group in graph.groups if group.collapsed}
    return set(collapsed)


def visible_graph(graph: GraphResponse, tree: GroupTree, collapsed: set[str]) -> VisibleGraph:
    """Map each node to its vertex (the outermost collapsed group around it wins), each edge to a pair."""
    view = VisibleGraph()
    boxes: dict[str, int] = {}
    for index, node in enumerate(graph.nodes):
        chain = tree.chain(node.group)
        cut = next((depth for depth, gid in enumerate(chain) if gid in collapsed), None)
        if cut is None:
            view.node_vertex.append(len(view.vertices))
            view.vertices.append(Vertex(node=index, group=None, chain=chain))
            continue
        box = chain[cut]
        if box not in boxes:
            boxes[box] = len(view.vertices)
            view.vertices.append(Vertex(node=None, group=box, chain=chain[:cut]))
        view.node_vertex.append(boxes[box])
    _connect(graph, view)
    return view


def _connect(graph: GraphResponse, view: VisibleGraph) -> None:
    """Fill `pairs` and `edge_pair`; parallel edges share one pair, edges inside a box get none."""
    position = {node.id: index for index, node in enumerate(graph.nodes)}
    pair_index: dict[tuple[int, int], int] = {}
    for edge in graph.edges:
        if edge.source not in position or edge.target not in position:
            raise InvalidRequest(f"edge {edge.id} joins an unknown node ({edge.source} -> {edge.target})")
        pair = (view.node_vertex[position[edge.source]], view.node_vertex[position[edge.target]])
        if pair[0] == pair[1]:
            view.edge_pair.append(None)
            continue
        if pair not in pair_index:
            pair_index[pair] = len(view.pairs)
            view.pairs.append(pair)
        view.edge_pair.append(pair_index[pair])

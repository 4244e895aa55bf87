"""Geometric checks shared by the layout tests: overlaps, containment, routes that join their ends."""

from __future__ import annotations

import pytest

from app.models import GraphResponse, Group, Node


def boxes_overlap(a: Node | Group, b: Node | Group) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def overlapping_pairs(graph: GraphResponse) -> list[tuple[str, str]]:
    """Visible node and collapsed-group boxes that overlap, by a sweep over x."""
    boxes: list[Node | Group] = [n for n in graph.nodes if n.w > 0]
    boxes += [g for g in graph.groups if g.collapsed and g.w > 0]
    boxes.sort(key=lambda box: box.x)
    found = []
    for index, box in enumerate(boxes):
        for other in boxes[index + 1 :]:
            if other.x >= box.x + box.w:
                break
            if boxes_overlap(box, other):
                found.append((box.id, other.id))
    return found


def contains(outer: Group, inner: Node | Group) -> bool:
    return (
        outer.x <= inner.x
        and outer.y <= inner.y
        and inner.x + inner.w <= outer.x + outer.w
        and inner.y + inner.h <= outer.y + outer.h
    )


def assert_routes_join_ends(graph: GraphResponse) -> None:
    """Every routed edge starts at its source's bottom centre and ends at its target's top centre."""
    drawn = {n.id: n for n in graph.nodes}
    drawn.update({g.id: g for g in graph.groups if g.collapsed and g.w > 0})
    where = {n.id: n.group for n in graph.nodes}
    parents = {g.id: g.parent for g in graph.groups}
    for edge in graph.edges:
        if not edge.points:
            continue
        source, target = (
            box_of(edge.source, drawn, where, parents),
            box_of(edge.target, drawn, where, parents),
        )
        assert (edge.points[0].x, edge.points[0].y) == pytest.approx(
            (source.x + source.w / 2, source.y + source.h)
        )
        assert (edge.points[-1].x, edge.points[-1].y) == pytest.approx((target.x + target.w / 2, target.y))


def box_of(
    node_id: str, drawn: dict[str, Node | Group], where: dict[str, str | None], parents: dict
) -> Node | Group:
    """The box a node is drawn in: its own, or its outermost collapsed group's."""
    chain_up, gid = [], where[node_id]
    while gid is not None:
        chain_up.append(gid)
        gid = parents[gid]
    collapsed = [gid for gid in chain_up if gid in drawn]
    return drawn[collapsed[-1]] if collapsed else drawn[node_id]


def overlapping_sibling_frames(graph: GraphResponse) -> list[tuple[str, str]]:
    """Expanded groups with the same parent whose frames overlap (their members would look mixed)."""
    frames = [g for g in graph.groups if g.w > 0 and not g.collapsed]
    return [
        (a.id, b.id)
        for index, a in enumerate(frames)
        for b in frames[index + 1 :]
        if a.parent == b.parent and boxes_overlap(a, b)
    ]

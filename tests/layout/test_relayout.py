"""relayout(): POST /layout's service, stateless re-layout for a new collapse state."""

from __future__ import annotations

from layout_graphs import gpt2_like

from app.layout import layout, relayout
from app.models import LayoutRequest


def test_relayout_equals_layout_of_the_same_graph_and_state() -> None:
    graph = gpt2_like(2)
    drawn = layout(graph)
    request = LayoutRequest(nodes=drawn.nodes, edges=drawn.edges, groups=drawn.groups, collapsed=["blocks.1"])
    answer = relayout(request)
    expected = layout(graph, ["blocks.1"])
    assert (
        answer.nodes == expected.nodes and answer.edges == expected.edges and answer.groups == expected.groups
    )
    assert (answer.width, answer.height) == (expected.width, expected.height)


def test_relayout_with_nothing_collapsed_ignores_old_flags() -> None:
    graph = gpt2_like(2)
    folded = layout(graph, ["blocks.0", "blocks.1"])
    request = LayoutRequest(nodes=folded.nodes, edges=folded.edges, groups=folded.groups)
    answer = relayout(request)
    assert not any(g.collapsed for g in answer.groups)
    assert all(n.w > 0 for n in answer.nodes)

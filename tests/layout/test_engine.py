"""layout(): positions, routes and group boxes on small hand-made graphs and a GPT-2-sized one."""

from __future__ import annotations

import pytest
from layout_checks import assert_routes_join_ends, contains, overlapping_pairs, overlapping_sibling_frames
from layout_graphs import Builder, chain, gpt2_like

from app.errors import InvalidRequest
from app.layout import layout
from app.layout.sizes import CHAR_W, LINE_H, PAD_X, PAD_Y, TOGGLE_W
from app.models import Edge, GraphResponse, Group


def diamond() -> GraphResponse:
    """x -> a, x -> b, (a, b) -> c: the fan-out / fan-in shape."""
    b = Builder()
    x = b.leaf("x", [2], None, kind="input")
    c = b.op(
        "AddBackward0",
        [b.op("ExpBackward0", [x], [2], None, "a"), b.op("SinBackward0", [x], [2], None, "b")],
        [2],
        None,
        "c",
    )
    b.op("SumBackward0", [c], [], None, "loss")
    return b.graph()


def nested() -> GraphResponse:
    """net (Net) > fc (Linear) holding w, b, mm, add; then relu in net and a loss outside."""
    b = Builder()
    x = b.leaf("x", [1, 3], None, kind="input")
    net = b.group("net", "Net", None)
    fc = b.group("net.fc", "Linear", net)
    w = b.leaf("net.fc.weight", [2, 3], fc)
    bias = b.leaf("net.fc.bias", [2], fc)
    h = b.op("AddBackward0", [b.op("MmBackward0", [x, w], [1, 2], fc), bias], [1, 2], fc, "h")
    a = b.op("ReluBackward0", [h], [1, 2], net, "a")
    b.op("SumBackward0", [a], [], None, "loss")
    return b.graph()


def test_chain_stacks_nodes_top_to_bottom_in_one_column() -> None:
    out = layout(chain(4))
    assert [n.y for n in out.nodes] == sorted(n.y for n in out.nodes)
    assert len({n.x + n.w / 2 for n in out.nodes}) == 1
    assert [(n.w, n.h) for n in out.nodes] == [(64.0, 44.0), (104.0, 60.0), (104.0, 60.0), (104.0, 60.0)]
    assert_routes_join_ends(out)
    assert [len(e.points) for e in out.edges] == [2, 2, 2]


def test_node_width_fits_its_longest_text_line() -> None:
    b = Builder()
    b.leaf("a_rather_long_variable_name", [3], None, kind="input")
    (node,) = layout(b.graph()).nodes
    assert node.w == len("a_rather_long_variable_name") * 7 + 20
    assert node.h == 2 * 16 + 12


def test_diamond_puts_sources_above_targets_without_overlap() -> None:
    out = layout(diamond())
    by_id = {n.id: n for n in out.nodes}
    for edge in out.edges:
        assert by_id[edge.source].y + by_id[edge.source].h < by_id[edge.target].y
    assert by_id["n1"].y == by_id["n2"].y  # a and b share a layer
    assert overlapping_pairs(out) == []
    assert_routes_join_ends(out)


def test_fan_out_of_many_siblings_never_overlaps() -> None:
    b = Builder()
    x = b.leaf("x", [4], None, kind="input")
    for index in range(9):
        b.op("MulBackward0", [x], [4], None, f"h{index}")
    out = layout(b.graph())
    assert len({n.y for n in out.nodes[1:]}) == 1
    assert overlapping_pairs(out) == []
    assert out.width >= sum(n.w for n in out.nodes[1:])


def test_long_edge_is_routed_through_the_layers_it_crosses() -> None:
    b = Builder()
    x = b.leaf("x", [2], None, kind="input")
    deep = chain_of(b, x, 4)
    b.op("AddBackward0", [deep, x], [2], None, "skip")
    out = layout(b.graph())
    skip = out.edges[-1]
    assert len(skip.points) == 2 + 2 * 4  # ends, plus entry and exit of the 4 layers in between
    assert [p.y for p in skip.points] == sorted(p.y for p in skip.points)
    assert_routes_join_ends(out)


def chain_of(b: Builder, start: str, length: int) -> str:
    for _ in range(length):
        start = b.op("ExpBackward0", [start], [2], None)
    return start


def test_expanded_groups_frame_their_members_and_nest() -> None:
    out = layout(nested())
    groups = {g.id: g for g in out.groups}
    for node in out.nodes:
        if node.group is not None:
            assert contains(groups[node.group], node)
    assert contains(groups["net"], groups["net.fc"])
    assert groups["net"].y < groups["net.fc"].y  # room for the outer label
    assert overlapping_pairs(out) == []
    assert overlapping_sibling_frames(out) == []
    assert not any(g.collapsed for g in out.groups)


def test_collapsed_group_hides_members_at_its_centre() -> None:
    out = layout(nested(), collapsed=["net.fc"])
    fc = next(g for g in out.groups if g.id == "net.fc")
    assert fc.collapsed and fc.w > 0 and fc.h > 0
    members = [n for n in out.nodes if n.group == "net.fc"]
    assert {(n.x, n.y, n.w, n.h) for n in members} == {(fc.x + fc.w / 2, fc.y + fc.h / 2, 0.0, 0.0)}
    inside = [
        e for e in out.edges if e.source in {n.id for n in members} and e.target in {n.id for n in members}
    ]
    assert len(inside) == 3 and all(e.points == [] for e in inside)
    assert_routes_join_ends(out)
    assert overlapping_pairs(out) == []


def test_collapsing_the_parent_hides_the_child_group() -> None:
    out = layout(nested(), collapsed=["net"])
    groups = {g.id: g for g in out.groups}
    net, fc = groups["net"], groups["net.fc"]
    assert (fc.x, fc.y, fc.w, fc.h) == (net.x + net.w / 2, net.y + net.h / 2, 0.0, 0.0)
    assert not fc.collapsed
    visible = [n.id for n in out.nodes if n.w > 0]
    assert visible == ["n0", "n6"]  # x and loss; everything else is in the box
    assert_routes_join_ends(out)


def test_collapsed_none_uses_flags_and_a_list_overrides_them() -> None:
    graph = nested()
    flagged = graph.model_copy(
        update={"groups": [g.model_copy(update={"collapsed": g.id == "net"}) for g in graph.groups]}
    )
    by_flag = layout(flagged)
    assert [g.collapsed for g in by_flag.groups] == [True, False]
    assert by_flag.model_dump() == layout(graph, collapsed=["net"]).model_dump()
    assert [g.collapsed for g in layout(flagged, collapsed=[]).groups] == [False, False]


def test_collapse_that_closes_a_cycle_still_lays_out() -> None:
    b = Builder()
    g = b.group("g", "M", None)
    first = b.op("ExpBackward0", [b.leaf("x", [2], None, kind="input")], [2], g)
    outside = b.op("SinBackward0", [first], [2], None)
    b.op("MulBackward0", [outside], [2], g)  # g -> outside -> g once g is one box
    out = layout(b.graph(), collapsed=["g"])
    assert all(len(e.points) >= 2 for e in out.edges)
    assert_routes_join_ends(out)
    assert overlapping_pairs(out) == []


def test_edge_to_an_unknown_node_is_an_invalid_request() -> None:
    graph = chain(2)
    broken = graph.model_copy(update={"edges": [Edge(id="e0", source="n0", target="n9", input_index=0)]})
    with pytest.raises(InvalidRequest, match="n9"):
        layout(broken)


def test_gpt2_sized_graph_has_no_overlaps_and_downward_edges() -> None:
    out = layout(gpt2_like())
    assert overlapping_pairs(out) == []
    assert overlapping_sibling_frames(out) == []  # wte's frame used to reach over wpe's
    by_id = {n.id: n for n in out.nodes}
    assert all(by_id[e.source].y + by_id[e.source].h < by_id[e.target].y for e in out.edges)
    assert_routes_join_ends(out)
    groups = {g.id: g for g in out.groups}
    assert all(contains(groups[n.group], n) for n in out.nodes if n.group is not None)
    assert by_id["n0"].y < by_id[out.nodes[-1].id].y  # idx on top, loss at the bottom
    assert out.nodes[-1].y + out.nodes[-1].h == max(n.y + n.h for n in out.nodes)


def test_gpt2_sized_graph_with_blocks_collapsed_draws_one_box_per_block() -> None:
    out = layout(gpt2_like(), collapsed=[f"blocks.{i}" for i in range(12)])
    blocks = [g for g in out.groups if g.id.count(".") == 1 and g.id.startswith("blocks.")]
    assert len(blocks) == 12 and all(g.collapsed and g.w > 0 for g in blocks)
    assert [g.y for g in blocks] == sorted(g.y for g in blocks)
    assert overlapping_pairs(out) == []
    assert_routes_join_ends(out)


def test_same_input_gives_the_same_coordinates() -> None:
    graph = gpt2_like(2)
    assert layout(graph).model_dump() == layout(graph).model_dump()
    assert layout(graph, ["blocks.0.attn"]).model_dump() == layout(graph, ["blocks.0.attn"]).model_dump()


def test_layout_leaves_the_input_graph_untouched() -> None:
    graph = nested()
    before = graph.model_dump()
    layout(graph, collapsed=["net"])
    assert graph.model_dump() == before


def test_weight_reused_by_every_step_of_a_long_loop_keeps_routes_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("app.layout.ordering.MAX_DUMMIES", 500)
    b = Builder()
    h, w = b.leaf("h", [2], None, kind="input"), b.leaf("w", [2], None)
    for _ in range(60):  # 60 steps all using w: 1 + 2 + ... + 59 = 1,770 dummies if all were routed
        h = b.op("MulBackward0", [h, w], [2], None)
    out = layout(b.graph())
    bends = sum(len(e.points) - 2 for e in out.edges)
    assert 0 < bends <= 2 * 500
    from_w = [e for e in out.edges if e.source == w]
    assert (
        sum(1 for e in from_w if len(e.points) == 2) > 1
    )  # besides the first use, the longest went straight
    assert_routes_join_ends(out)
    assert overlapping_pairs(out) == []


def test_a_collapsed_call_is_a_box_the_size_of_the_node_it_stands_for() -> None:
    b = Builder()
    logits = b.leaf("logits", [2, 3], None)
    targets = b.leaf("targets", [2], None, kind="input")
    call = "c3"
    b.groups.append(Group(id=call, kind="call", label="loss", module="F.cross_entropy", outputs=["n3"]))
    log_probs = b.op("LogSoftmaxBackward0", [logits], [2, 3], call, label="log_softmax")
    b.op("NllLossBackward0", [log_probs, targets], [], call, label="loss")
    out = layout(b.graph(), collapsed=[call])
    box = next(g for g in out.groups if g.id == call)
    op_node = layout(b.graph(), collapsed=[]).nodes[2]  # log_softmax: label, op, shape
    # as tall as an op node (the page writes label, "F.cross_entropy · scalar", value and gradient in it), as
    # wide as its longest line plus the ▸ strip on the left that opens it
    assert box.h == op_node.h == 3 * LINE_H + 2 * PAD_Y
    assert box.w == len("F.cross_entropy · scalar") * CHAR_W + 2 * PAD_X + TOGGLE_W

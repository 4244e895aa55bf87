"""default_collapsed(): which groups a big graph opens folded."""

from __future__ import annotations

from layout_graphs import Builder, gpt2_like

from app.layout import default_collapsed, fold_repeats, layout
from app.models import GraphResponse


def visible_boxes(graph: GraphResponse, collapsed: list[str]) -> int:
    out = layout(graph, collapsed)
    return sum(1 for n in out.nodes if n.w > 0) + sum(1 for g in out.groups if g.collapsed and g.w > 0)


def test_small_graph_collapses_nothing() -> None:
    assert default_collapsed(gpt2_like(1)) == []  # 82 nodes


def test_gpt2_opens_with_at_most_150_boxes_and_inner_modules_folded() -> None:
    graph = gpt2_like(12)
    chosen = default_collapsed(graph)
    assert len(graph.nodes) == 772
    assert visible_boxes(graph, chosen) <= 150
    assert "blocks.3.attn.c_attn" in chosen and "blocks.3.mlp.c_fc" in chosen  # the deepest level first
    assert "blocks.3" not in chosen  # blocks stay open: their insides are folded enough
    assert all(f"blocks.{i}.attn.c_attn" in chosen for i in range(12))  # every block looks the same


def test_tighter_budget_folds_shallower_groups() -> None:
    graph = gpt2_like(12)
    chosen = default_collapsed(graph, max_visible=40)
    assert {f"blocks.{i}" for i in range(12)} <= set(chosen)
    assert visible_boxes(graph, chosen) <= 40


def test_a_big_graph_opens_as_the_outline_its_stack_closed_over_folded_blocks() -> None:
    graph = fold_repeats(gpt2_like(12))
    chosen = default_collapsed(graph)
    assert "blocks[0-11]" in chosen  # one "blocks × 12" box
    assert "blocks.3.attn.c_attn" in chosen  # opening the stack, then a block, shows it folded as before
    assert visible_boxes(graph, chosen) <= 20
    small = fold_repeats(gpt2_like(1))
    assert default_collapsed(small) == []  # a graph that fits opens whole


def test_groups_of_one_node_are_never_chosen() -> None:
    b = Builder()
    x = b.leaf("x", [2], None, kind="input")
    for index in range(5):
        x = b.op("ExpBackward0", [x], [2], b.group(f"m{index}", "Exp", None))
    assert default_collapsed(b.graph(), max_visible=3) == []

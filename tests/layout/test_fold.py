"""fold_repeats(): stacks over runs of identical sibling blocks."""

from __future__ import annotations

from layout_graphs import Builder, gpt2_like

from app.layout import fold_repeats, layout
from app.models import GraphResponse


def stacks(graph: GraphResponse) -> list[tuple[str, str, int, str | None]]:
    return [(g.id, g.label, g.repeat, g.parent) for g in graph.groups if g.repeat > 1]


def test_twelve_gpt2_blocks_fold_into_one_stack() -> None:
    graph = gpt2_like(12)
    folded = fold_repeats(graph)
    assert stacks(folded) == [("blocks[0-11]", "blocks × 12 (Block)", 12, None)]
    parents = {g.id: g.parent for g in folded.groups}
    assert all(parents[f"blocks.{i}"] == "blocks[0-11]" for i in range(12))
    assert parents["blocks.3.attn"] == "blocks.3"
    stack = next(g for g in folded.groups if g.repeat > 1)
    assert stack.members == sum(
        g.members for g in graph.groups if g.id.count(".") == 1 and g.id[:7] == "blocks."
    )
    assert folded.nodes == graph.nodes and folded.edges == graph.edges


def test_gpt2_mini_folds_two_blocks() -> None:
    assert stacks(fold_repeats(gpt2_like(2, prefix="transformer.h"))) == [
        ("transformer.h[0-1]", "transformer.h × 2 (Block)", 2, None)
    ]


def test_single_block_and_no_blocks_fold_nothing() -> None:
    graph = gpt2_like(1)
    assert fold_repeats(graph).groups == graph.groups


def test_folding_twice_adds_nothing_more() -> None:
    once = fold_repeats(gpt2_like(3))
    assert fold_repeats(once).groups == once.groups


def layers_graph(kinds: list[str]) -> GraphResponse:
    """Sibling modules `layers.i`, each one op of the given kind (ExpBackward0 or SinBackward0)."""
    b = Builder()
    x = b.leaf("x", [2], None, kind="input")
    for index, op in enumerate(kinds):
        x = b.op(op, [x], [2], b.group(f"layers.{index}", "Act", None))
    return b.graph()


def test_a_different_block_splits_the_run() -> None:
    folded = fold_repeats(
        layers_graph(["ExpBackward0", "ExpBackward0", "SinBackward0", "ExpBackward0", "ExpBackward0"])
    )
    assert [(s[0], s[2]) for s in stacks(folded)] == [("layers[0-1]", 2), ("layers[3-4]", 2)]
    parents = {g.id: g.parent for g in folded.groups}
    assert parents["layers.2"] is None
    ids = [g.id for g in folded.groups]
    assert ids.index("layers[0-1]") == ids.index("layers.0") - 1  # the stack comes right before its blocks


def test_collapsed_stack_is_drawn_as_one_box_saying_times_twelve() -> None:
    folded = fold_repeats(gpt2_like(12))
    out = layout(folded, ["blocks[0-11]"])
    stack = next(g for g in out.groups if g.id == "blocks[0-11]")
    assert stack.collapsed and stack.w >= len("blocks × 12 (Block)") * 7
    inside = [n for n in out.nodes if n.group is not None and n.group.startswith("blocks.")]
    assert len(inside) == 756 and all(n.w == 0 for n in inside)
    assert sum(1 for n in out.nodes if n.w > 0) == 772 - 756

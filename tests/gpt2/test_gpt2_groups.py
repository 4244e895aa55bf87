"""GPT-2 mini's groups: the nn.Module tree with class labels and parameter counts, two blocks folded to "× 2",
and a default view of at most ~150 boxes."""

from __future__ import annotations

import pytest
from gpt2_oracle import run_plain, run_served, visible_boxes
from torch import nn

from app.examples import example
from app.layout import default_collapsed, fold_repeats, layout
from app.models import GraphResponse, Group

MAX_DEFAULT_BOXES = 150


@pytest.fixture(scope="module")
def mini() -> tuple[GraphResponse, nn.Module]:
    """GPT-2 mini's graph and the same model built by plain torch."""
    code = example("gpt2_mini").code
    return run_served(code), run_plain(code).modules()["model"]


def module_at(model: nn.Module, group_id: str) -> nn.Module:
    return model if group_id == "model" else model.get_submodule(group_id)


def modules_of(graph: GraphResponse) -> list[Group]:
    return [group for group in graph.groups if group.kind == "module"]


def test_groups_are_the_module_tree_and_library_modules_are_calls(
    mini: tuple[GraphResponse, nn.Module],
) -> None:
    graph, model = mini
    containers = {name for name, module in model.named_modules() if name and next(module.children(), None)}
    assert {group.id for group in modules_of(graph)} == {"model"} | containers
    for group in modules_of(graph):
        module = module_at(model, group.id)
        assert (group.module, group.label) == (type(module).__name__, f"{group.id} ({type(module).__name__})")
        assert group.parent == (None if group.id == "model" else group.id.rpartition(".")[0] or "model")
    attention = next(g for g in graph.groups if g.id == "blocks.1.attn")
    assert attention.label == "blocks.1.attn (CausalSelfAttention)"
    calls = {group.module: group for group in graph.groups if group.kind == "call"}
    for path in ("blocks.0.attn.c_attn", "blocks.1.ln1", "ln_f", "out_head"):  # layers with internals
        assert calls[path].collapsed and calls[path].parent == (path.rpartition(".")[0] or "model")
    assert calls["blocks.0.attn.c_attn"].label == "c_attn"  # named within the frame it sits in


def test_group_params_equal_the_modules_parameter_count(mini: tuple[GraphResponse, nn.Module]) -> None:
    graph, model = mini
    params = {group.id: group.params for group in modules_of(graph)}
    counted = {group.id: module_at(model, group.id) for group in modules_of(graph)}
    assert params == {gid: sum(p.numel() for p in module.parameters()) for gid, module in counted.items()}
    assert params["model"] == 32_704
    assert params["blocks.0.attn"] == 32 * 96 + 32 * 32 + 32  # c_attn without bias, c_proj with


def test_attention_softmax_runs_inside_each_blocks_attention(mini: tuple[GraphResponse, nn.Module]) -> None:
    graph, _ = mini
    softmax_groups = [node.group for node in graph.nodes if node.op == "SoftmaxBackward0"]
    assert softmax_groups == ["blocks.0.attn", "blocks.1.attn"]


def test_two_identical_blocks_fold_into_one_stack(mini: tuple[GraphResponse, nn.Module]) -> None:
    graph, model = mini
    folded = fold_repeats(graph)
    stacks = [group for group in folded.groups if group.repeat > 1]
    assert [(s.id, s.label, s.module, s.parent, s.repeat) for s in stacks] == [
        ("blocks[0-1]", "blocks × 2 (Block)", "Block", "blocks", 2)
    ]
    assert stacks[0].params == sum(p.numel() for p in model.blocks.parameters()) == 2 * 12_608
    after = {group.id: group for group in folded.groups}
    assert stacks[0].members == after["blocks.0"].members + after["blocks.1"].members
    parents = {group.id: group.parent for group in folded.groups}
    assert parents["blocks.0"] == parents["blocks.1"] == "blocks[0-1]"


def test_default_view_shows_at_most_150_boxes(mini: tuple[GraphResponse, nn.Module]) -> None:
    graph, _ = mini
    folded = fold_repeats(graph)
    collapsed = default_collapsed(folded)
    assert len(graph.nodes) > MAX_DEFAULT_BOXES and collapsed
    assert 0 < visible_boxes(layout(folded, collapsed)) <= MAX_DEFAULT_BOXES
    assert visible_boxes(layout(folded, [])) == len(graph.nodes)

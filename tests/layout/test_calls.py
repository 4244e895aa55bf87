"""A module called in several places gets one group per call, so no frame stretches across the drawing."""

from __future__ import annotations

import torch
from layout_checks import assert_routes_join_ends, contains, overlapping_pairs, overlapping_sibling_frames
from torch import nn

from app.capture import Recorder, capture
from app.examples import example
from app.graph import build_graph
from app.layout import default_collapsed, fold_repeats, layout
from app.limits import Limits
from app.models import GraphOptions, GraphResponse
from app.runner import run


class SharedDrop(nn.Module):
    """One Dropout module applied after each of two sublayers, as in a GPT-2 block (LayerNorm: an op whose
    mean and rstd outputs feed nothing, still one call)."""

    def __init__(self) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(4)
        self.first = nn.Linear(4, 4)
        self.second = nn.Linear(4, 4)
        self.drop = nn.Dropout(0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.drop(self.first(self.norm(x)))
        return x + self.drop(self.second(x))


def captured() -> GraphResponse:
    torch.manual_seed(0)
    net, x = SharedDrop(), torch.randn(2, 4)

    def program(rec: Recorder) -> None:
        rec.name(net, "net")
        loss = net(x).sum()
        rec.name(loss, "loss")
        loss.backward()

    return build_graph(capture(program, limits=Limits()))


def test_each_call_of_a_shared_module_is_its_own_group() -> None:
    graph = fold_repeats(captured())
    groups = {g.id: g for g in graph.groups}
    assert groups["drop#2"].label == "drop (Dropout) (call 2)"
    assert groups["drop#2"].parent == "net"
    first = [n for n in graph.nodes if n.group == "drop"]
    second = [n for n in graph.nodes if n.group == "drop#2"]
    assert first and second and len(first) == len(second)
    assert groups["drop"].members == len(first)
    assert max(int(n.id[1:]) for n in first) < min(int(n.id[1:]) for n in second)  # forward order


def test_split_calls_lay_out_cleanly_and_stay_narrow() -> None:
    out = layout(fold_repeats(captured()))
    assert overlapping_pairs(out) == []
    assert overlapping_sibling_frames(out) == []
    assert_routes_join_ends(out)
    groups = {g.id: g for g in out.groups}
    assert all(contains(groups[n.group], n) for n in out.nodes if n.group is not None)
    assert groups["drop"].w < 0.5 * out.width and groups["drop#2"].w < 0.5 * out.width


def test_split_is_idempotent_and_deterministic() -> None:
    once = fold_repeats(captured())
    assert fold_repeats(once) == once
    assert geometry(layout(once)) == geometry(layout(fold_repeats(captured())))


def geometry(graph: GraphResponse) -> list[tuple[object, ...]]:
    """Ids, groups and boxes of the nodes and groups, and the edge routes (the values hold dropout noise)."""
    boxes = [(n.id, n.group, n.x, n.y, n.w, n.h) for n in graph.nodes]
    frames = [(g.id, g.parent, g.label, g.x, g.y, g.w, g.h) for g in graph.groups]
    return [*boxes, *frames, *((e.id, tuple(e.points)) for e in graph.edges)]


def test_a_module_called_once_keeps_its_group() -> None:
    graph = captured()
    assert {g.id for g in fold_repeats(graph).groups} - {g.id for g in graph.groups} == {"drop#2"}


def test_gpt2_mini_second_forward_pass_is_framed_apart_and_narrow() -> None:
    gpt2 = example("gpt2_mini")
    options = gpt2.options or GraphOptions()
    graph = fold_repeats(run(gpt2.code, options, Limits(), max_chars=20_000, max_lines=500))
    ids = {g.id for g in graph.groups}
    assert {"model", "model#2", "blocks.0.drop#2", "blocks.1.drop#2"} <= ids
    expanded = layout(graph, [])
    assert expanded.width < 3_000  # measured 2,099 px (was 30,792 px with one frame per module)
    assert overlapping_pairs(expanded) == []
    default = layout(graph, default_collapsed(graph))
    assert default.width < 3_000
    visible = [n for n in default.nodes if n.w > 0] + [g for g in default.groups if g.collapsed and g.w > 0]
    assert len(visible) <= 150

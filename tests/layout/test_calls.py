"""A module called in several places gets one group per call, so no frame stretches across the drawing."""

from __future__ import annotations

from layout_checks import assert_routes_join_ends, contains, overlapping_pairs, overlapping_sibling_frames
from traced import captured

from app.graph import build_graph
from app.layout import fold_repeats, layout
from app.limits import Limits
from app.models import GraphOptions, GraphResponse
from app.runner import run

SHARED_DROP = """\
import torch
import torch.nn as nn


class SharedDrop(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(4)
        self.first = nn.Linear(4, 4)
        self.second = nn.Linear(4, 4)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        x = x + self.drop(self.first(self.norm(x)))
        return x + self.drop(self.second(x))


torch.manual_seed(0)
net, x = SharedDrop(), torch.randn(2, 4)
loss = net(x).sum()
loss.backward()
"""


def captured_graph() -> GraphResponse:
    """One Dropout module applied after each of two sublayers, as in a GPT-2 block."""
    return build_graph(captured(SHARED_DROP))


def test_each_call_of_a_shared_module_is_its_own_group() -> None:
    graph = fold_repeats(captured_graph())
    drops = [g for g in graph.groups if g.kind == "call" and g.label == "drop"]
    assert len(drops) == 2 and {g.parent for g in drops} == {"net"}
    first, second = ([n for n in graph.nodes if n.group == g.id] for g in drops)
    assert first and second and len(first) == len(second)
    assert drops[0].members == len(first)
    assert max(int(n.id[1:]) for n in first) < min(int(n.id[1:]) for n in second)  # forward order


def test_split_calls_lay_out_cleanly_and_stay_narrow() -> None:
    out = layout(fold_repeats(captured_graph()), [])  # every call expanded
    assert overlapping_pairs(out) == []
    assert overlapping_sibling_frames(out) == []
    assert_routes_join_ends(out)
    groups = {g.id: g for g in out.groups}
    assert all(contains(groups[n.group], n) for n in out.nodes if n.group is not None)
    assert all(g.w < 0.5 * out.width for g in out.groups if g.label == "drop")


def test_split_is_idempotent_and_deterministic() -> None:
    once = fold_repeats(captured_graph())
    assert fold_repeats(once) == once
    assert geometry(layout(once)) == geometry(layout(fold_repeats(captured_graph())))


def geometry(graph: GraphResponse) -> list[tuple[object, ...]]:
    """Ids, groups and boxes of the nodes and groups, and the edge routes (the values hold dropout noise)."""
    boxes = [(n.id, n.group, n.x, n.y, n.w, n.h) for n in graph.nodes]
    frames = [(g.id, g.parent, g.label, g.x, g.y, g.w, g.h) for g in graph.groups]
    return [*boxes, *frames, *((e.id, tuple(e.points)) for e in graph.edges)]


def test_calls_need_no_splitting_and_one_module_group_stays_one() -> None:
    graph = captured_graph()
    assert {g.id for g in fold_repeats(graph).groups} == {g.id for g in graph.groups}


def test_a_second_forward_pass_of_a_model_is_framed_apart() -> None:
    twice = SHARED_DROP + "with torch.no_grad():\n    again = net(x)\n"
    graph = fold_repeats(run(twice, GraphOptions(device="cpu"), Limits(), max_chars=20_000, max_lines=500))
    assert {"net", "net#2"} <= {g.id for g in graph.groups}
    second = next(g for g in graph.groups if g.id == "net#2")
    assert second.label == "net (SharedDrop) (call 2)"
    expanded = layout(graph, [])
    assert overlapping_pairs(expanded) == []
    one, two = (next(g for g in expanded.groups if g.id == gid) for gid in ("net", "net#2"))
    apart_x = one.x + one.w <= two.x or two.x + two.w <= one.x
    apart_y = one.y + one.h <= two.y or two.y + two.h <= one.y
    assert apart_x or apart_y  # two frames side by side, never one across the other

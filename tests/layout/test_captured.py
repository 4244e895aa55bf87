"""The layout of a real captured graph: a small model with three identical residual blocks."""

from __future__ import annotations

from layout_checks import assert_routes_join_ends, contains, overlapping_pairs, overlapping_sibling_frames
from traced import captured

from app.graph import build_graph
from app.layout import default_collapsed, fold_repeats, layout
from app.models import GraphResponse

TINY = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Residual(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.up = nn.Linear(width, 2 * width)
        self.down = nn.Linear(2 * width, width)

    def forward(self, x):
        return x + self.down(F.gelu(self.up(self.norm(x))))


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(3, 8)
        self.blocks = nn.ModuleList(Residual(8) for _ in range(3))
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        h = self.embed(x)
        for block in self.blocks:
            h = block(h)
        return self.head(h)


torch.manual_seed(0)
net, x = Tiny(), torch.randn(4, 3)
loss = net(x).pow(2).mean()
loss.backward()
"""


def captured_graph() -> GraphResponse:
    """A small model with three identical residual blocks (the shape of a transformer block's second half)."""
    return build_graph(captured(TINY))


def test_captured_blocks_fold_and_lay_out_cleanly() -> None:
    graph = fold_repeats(captured_graph())
    stacks = [(g.id, g.label, g.repeat) for g in graph.groups if g.repeat > 1]
    assert stacks == [("blocks[0-2]", "blocks × 3 (Residual)", 3)]
    calls = sorted(g.id for g in graph.groups if g.kind == "call")
    assert default_collapsed(graph) == calls  # small enough to open fully: only the calls are boxes
    out = layout(graph)
    assert overlapping_pairs(out) == []
    assert overlapping_sibling_frames(out) == []
    assert_routes_join_ends(out)
    groups = {g.id: g for g in out.groups}
    assert all(contains(groups[n.group], n) for n in out.nodes if n.group is not None)
    loss = next(n for n in out.nodes if n.label == "loss")
    assert loss.y + loss.h == max(n.y + n.h for n in out.nodes)


def test_collapsed_stack_of_captured_blocks_is_one_box() -> None:
    out = layout(fold_repeats(captured_graph()), ["blocks[0-2]"])
    stack = next(g for g in out.groups if g.id == "blocks[0-2]")
    inside = [n for n in out.nodes if n.group is not None and n.group.startswith("blocks.")]
    assert inside and all((n.w, n.h) == (0.0, 0.0) for n in inside)
    assert stack.collapsed and stack.w > 0
    assert overlapping_pairs(out) == []
    assert_routes_join_ends(out)

"""Oracle test on a small GPT block: LayerNorm, causal attention with a mask buffer, GELU MLP, residuals."""

from __future__ import annotations

import torch
from capture_oracle import assert_close, run_both

from app.limits import Limits

GPT_BLOCK = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTH, HEADS, CONTEXT = 8, 2, 4


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(WIDTH, 3 * WIDTH)
        self.c_proj = nn.Linear(WIDTH, WIDTH)
        self.register_buffer("mask", torch.tril(torch.ones(CONTEXT, CONTEXT)).view(1, 1, CONTEXT, CONTEXT))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, HEADS, C // HEADS).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        v = v.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / (C // HEADS) ** 0.5
        att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(WIDTH, 4 * WIDTH)
        self.c_proj = nn.Linear(4 * WIDTH, WIDTH)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(WIDTH)
        self.attn = CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(WIDTH)
        self.mlp = MLP()

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))



torch.manual_seed(4)
block = Block()
x = torch.randn(2, CONTEXT, WIDTH, requires_grad=True)
out = block(x)
loss = out.pow(2).mean()
loss.backward()
"""


def test_gpt_block_gradients_match_plain_torch() -> None:
    run = run_both(GPT_BLOCK, Limits(max_inline_values=4096))  # every tensor in full, to compare
    block = run.env["block"]
    assert isinstance(block, torch.nn.Module)
    for name, param in block.named_parameters():
        assert_close(run.node(name).grad, param.grad)
    assert_close(run.node("x").grad, run.tensor("x").grad)
    assert_close(run.node("out").data, run.tensor("out"))
    assert_close(run.node("out").grad, run.tensor("out").grad)


def test_gpt_block_modules_calls_mask_buffer_and_inner_nodes() -> None:
    graph = run_both(GPT_BLOCK).graph
    mask = next(n for n in graph.nodes if n.label == "attn.mask")
    assert mask.kind == "op" and mask.group is None and mask.grad is None  # made in __init__, not a forward
    groups = {g.id: g for g in graph.groups}
    assert groups["attn"].parent == "block" and groups["mlp"].parent == "block"
    calls = {g.label: g for g in graph.groups if g.kind == "call"}
    assert {"ln_1", "ln_2", "c_attn", "c_proj", "c_fc"} <= set(calls)  # library modules are calls
    assert calls["c_attn"].parent == "attn" and calls["ln_1"].parent == "block"
    assert all(g.collapsed for g in calls.values())
    assert groups["block"].members == len(graph.nodes) - sum(1 for n in graph.nodes if n.group is None)
    ops = {n.op for n in graph.nodes}
    assert {"NativeLayerNormBackward0", "GeluBackward0", "MaskedFillBackward0", "SplitBackward0"} <= ops
    qkv = [n for n in graph.nodes if n.op == "SplitBackward0"]
    assert [n.label for n in qkv] == ["q", "k", "v"] and {n.group for n in qkv} == {"attn"}  # no box needed
    layer_norm = [n for n in graph.nodes if n.group == calls["ln_1"].id]
    assert [n.output_nr for n in layer_norm] == [0, 1, 2]  # mean and rstd live inside the call
    assert calls["ln_1"].outputs == [layer_norm[0].id]
    assert all(e.node for e in graph.backward) and len(graph.backward) > 40

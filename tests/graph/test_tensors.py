"""TensorTable: stats-only summaries for events and edges, and the heatmap budget of one response."""

from __future__ import annotations

import pytest
import torch

from app.capture import Recorder, capture, encode, heatmaps
from app.capture.encode import encode_within
from app.graph import build_graph
from app.graph.tensors import HEATMAP_CELL_BUDGET, TensorTable
from app.limits import Limits


def test_heatmaps_of_the_biggest_tensors_go_first_until_the_rest_fit() -> None:
    small, middle, big = torch.ones(4, 4), torch.ones(20, 20), torch.ones(40, 40)
    tensors = [big, small, middle, big]
    data = encode(tensors, max_inline=8)
    assert [(d.heatmap.rows, d.heatmap.cols) for d in data if d.heatmap] == [
        (16, 16),
        (4, 4),
        (16, 16),
        (16, 16),
    ]
    kept, dropped = encode_within(tensors, max_inline=8, heatmap_cells=16 + 256)
    assert dropped == 1  # `big` twice is one tensor, one heatmap
    assert [d.heatmap is None for d in kept] == [True, False, False, True]
    assert kept[2].heatmap == data[2].heatmap and kept[1].heatmap == data[1].heatmap
    none, dropped = encode_within(tensors, max_inline=8, heatmap_cells=0)
    assert dropped == 3 and all(d.heatmap is None for d in none)


def test_equal_sizes_lose_their_heatmaps_in_order_of_first_appearance() -> None:
    first, second, third = torch.ones(20, 20), torch.ones(20, 20), torch.ones(30, 30)
    data, dropped = encode_within([first, second, third], max_inline=8, heatmap_cells=256)
    assert dropped == 2 and [d.heatmap is None for d in data] == [True, False, True]


def test_the_budget_is_settled_before_any_pooling(monkeypatch: pytest.MonkeyPatch) -> None:
    pooled: list[tuple[int, ...]] = []
    pool = heatmaps.heatmap

    def counting(tensor: torch.Tensor, cache: dict[tuple[object, ...], torch.Tensor]) -> torch.Tensor:
        pooled.append(tuple(tensor.shape))
        return pool(tensor, cache)

    monkeypatch.setattr(heatmaps, "heatmap", counting)
    encode_within([torch.ones(64, 64), torch.ones(20, 20), torch.ones(4, 4)], max_inline=8, heatmap_cells=300)
    assert pooled == [(20, 20), (4, 4)]


def test_summaries_of_truncated_tensors_carry_stats_only() -> None:
    table = TensorTable(max_inline=8)
    big, small = torch.arange(100.0).reshape(10, 10), torch.tensor([1.5, 2.5])
    table.add(big)
    table.add(small)
    table.encode()
    full, summary = table[big], table.summary(big)
    assert full is not None and full.heatmap is not None and full.preview == list(range(8))
    assert summary is not None and summary.heatmap is None and summary.preview is None
    assert summary.stats == full.stats and summary.stats is not None and summary.stats.mean == 49.5
    assert table.summary(small) is table[small] and table.summary(None) is None


def test_a_graph_beyond_the_heatmap_budget_drops_some_and_says_so() -> None:
    def chain(rec: Recorder) -> None:
        torch.manual_seed(0)
        x = torch.randn(20, 20, requires_grad=True)
        y = x
        for _ in range(200):  # 200 ops, each with a 20 x 20 value and gradient: 400 heatmaps of 256 cells
            y = y * 1.01
        y.sum().backward()

    graph = build_graph(capture(chain, limits=Limits()))
    tensors = [t for n in graph.nodes for t in (n.data, n.grad) if t is not None]
    cells = {id(t.heatmap): t.heatmap.rows * t.heatmap.cols for t in tensors if t.heatmap is not None}
    assert graph.truncated["heatmaps"] is True
    assert HEATMAP_CELL_BUDGET - 256 < sum(cells.values()) <= HEATMAP_CELL_BUDGET
    assert all(t.stats is not None for t in tensors if t.truncated)
    assert len(graph.model_dump_json()) < 3_000_000


def test_an_attention_softmax_carries_one_grid_per_head_with_the_causal_triangle() -> None:
    torch.manual_seed(0)
    scores = torch.randn(2, 4, 8, 8)  # (B, heads, T, T)
    mask = torch.triu(torch.ones(8, 8), diagonal=1).bool()

    def attention(rec: Recorder) -> None:
        att = scores.clone().requires_grad_()
        probs = torch.softmax(att.masked_fill(mask, float("-inf")), dim=-1)
        (probs * torch.arange(8.0)).sum().backward()

    graph = build_graph(capture(attention, limits=Limits()))
    softmax = next(n for n in graph.nodes if n.op == "SoftmaxBackward0")
    assert softmax.data is not None and softmax.grad is not None
    heads, grads = softmax.data.heads, softmax.grad.heads
    assert heads is not None and grads is not None and len(heads) == len(grads) == 4
    oracle = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)[0].double()  # the first sequence
    for head, grid in enumerate(heads):
        assert (grid.rows, grid.cols) == (8, 8)
        values = torch.tensor(grid.values, dtype=torch.float64)
        torch.testing.assert_close(values, oracle[head], rtol=1e-3, atol=0)  # 4 significant digits
        assert values[mask].eq(0).all() and values[~mask].gt(0).all()  # the masked triangle, exactly 0
        assert values.sum(1).sub(1).abs().max() < 1e-3  # each query's weights add up to 1
    # dL/dprobs of (probs * [0, 1, ..., 7]).sum(): every query's row is 0 ... 7
    assert grads[1].values == [[float(key) for key in range(8)] for _ in range(8)]
    others = [n for n in graph.nodes if n.op != "SoftmaxBackward0"]
    assert all(t.heads is None for n in others for t in (n.data, n.grad) if t is not None)


def test_per_head_grids_only_for_square_attention_shapes_within_the_caps() -> None:
    assert heatmaps.head_grids(torch.ones(1, 4, 8, 8)) is not None
    assert heatmaps.head_grids(torch.ones(1, 4, 8, 9)) is None  # not T x T
    assert heatmaps.head_grids(torch.ones(1, 17, 8, 8)) is None  # more heads than drawn
    assert heatmaps.head_grids(torch.ones(1, 4, 65, 65)) is None  # a sequence longer than drawn
    assert heatmaps.head_grids(torch.ones(4, 8, 8)) is None
    pooled = heatmaps.head_grids(torch.arange(2 * 40 * 40.0).reshape(1, 2, 40, 40))
    assert pooled is not None and tuple(pooled.shape) == (2, 16, 16)

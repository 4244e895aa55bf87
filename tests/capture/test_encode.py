"""Tensor payloads (design §4): inline values, previews, heatmaps, stats, and JSON-unsafe numbers."""

from __future__ import annotations

import importlib

import pytest
import torch
from heatmap_oracle import block_means

from app.capture import encode
from app.capture.reductions import stats_row


def one(tensor: torch.Tensor, max_inline: int = 64):  # noqa: ANN201
    [data] = encode([tensor], max_inline=max_inline)
    return data


def test_small_tensors_travel_in_full_nested_like_their_shape() -> None:
    data = one(torch.arange(6).reshape(2, 3))
    assert (data.shape, data.dtype, data.numel, data.truncated) == ([2, 3], "int64", 6, False)
    assert data.values == [[0, 1, 2], [3, 4, 5]] and data.preview is None and data.heatmap is None
    assert one(torch.tensor(2.5)).values == 2.5
    assert one(torch.zeros(2, 0)).values == [[], []]
    assert one(torch.tensor([True, False])).values == [True, False]


def test_stats_match_torch() -> None:
    torch.manual_seed(0)
    tensor = torch.randn(300, 70) * 3 + 1
    stats = one(tensor).stats
    assert stats is not None
    assert stats.min == pytest.approx(tensor.min().item()) and stats.max == pytest.approx(tensor.max().item())
    assert stats.mean == pytest.approx(tensor.double().mean().item(), rel=1e-5)
    assert stats.std == pytest.approx(tensor.double().std().item(), rel=1e-5)
    assert stats.norm == pytest.approx(tensor.double().norm().item(), rel=1e-5)
    assert (stats.nan, stats.inf) == (0, 0)
    assert one(torch.tensor([True])).stats is None


def test_big_tensors_get_a_row_major_preview_and_a_block_mean_heatmap() -> None:
    tensor = torch.arange(64 * 40, dtype=torch.float32).reshape(64, 40)
    data = one(tensor.t(), max_inline=10)  # a transposed view: previewed in its own row-major order
    assert data.truncated and data.values is None
    assert data.preview == tensor.t().reshape(-1)[:10].tolist()
    assert data.heatmap is not None and (data.heatmap.rows, data.heatmap.cols) == (16, 16)
    heatmap = torch.tensor(data.heatmap.values, dtype=torch.float64)
    torch.testing.assert_close(heatmap, block_means(tensor.t(), 16, 16), rtol=5e-3, atol=0)  # 3 digits


def test_previews_hold_at_most_sixteen_values() -> None:
    tensor = torch.arange(100, dtype=torch.float32)
    assert one(tensor, max_inline=64).preview == list(range(16))
    assert one(tensor, max_inline=5).preview == list(range(5))


@pytest.mark.parametrize(
    "view",
    [
        torch.arange(400.0).reshape(4, 100).t(),  # rows of 4: the first 16 values span four of them
        torch.arange(2 * 3 * 40.0).reshape(2, 3, 40).transpose(0, 1),  # the first row holds all 16
        torch.arange(300.0)[::3],  # one strided row
        torch.arange(300.0).reshape(2, 50, 3).permute(2, 0, 1)[1:],  # starts one element into its memory
    ],
)
def test_previews_of_strided_views_follow_their_row_major_order(view: torch.Tensor) -> None:
    assert not view.is_contiguous()
    assert one(view).preview == view.reshape(-1)[:16].tolist()


def test_rows_and_columns_get_no_heatmap() -> None:
    for shape in [(1, 300), (300, 1), (4, 1, 300)]:
        data = one(torch.ones(shape), max_inline=8)
        assert data.truncated and data.heatmap is None and data.stats is not None


def test_heatmap_means_over_leading_dims() -> None:
    tensor = torch.arange(2 * 4 * 3, dtype=torch.float32).reshape(2, 4, 3)
    data = one(tensor, max_inline=4)
    assert data.heatmap is not None
    assert data.heatmap.values == tensor.mean(0).tolist()


def test_non_finite_values_become_strings_and_stats_skip_them() -> None:
    data = one(torch.tensor([1.0, float("nan"), float("inf"), -float("inf"), 3.0]))
    assert data.values == [1.0, "NaN", "Infinity", "-Infinity", 3.0]
    assert data.stats is not None and (data.stats.nan, data.stats.inf) == (1, 2)
    assert (data.stats.min, data.stats.max, data.stats.mean) == (1.0, 3.0, 2.0)


def test_stats_rounded_together_stay_with_their_own_tensors() -> None:
    nothing_finite = torch.tensor([float("nan"), float("inf")])
    mixed = torch.tensor([float("-inf"), 0.25, 0.75])
    whole = torch.tensor([-3, 9, 12])
    thirds = torch.tensor([1.0, 2.0]) / 3
    gone, partly, counted, rounded = encode([nothing_finite, mixed, whole, thirds], max_inline=4)
    assert gone.stats is not None and (gone.stats.nan, gone.stats.inf) == (1, 1)
    assert (gone.stats.min, gone.stats.max, gone.stats.mean, gone.stats.norm) == (None, None, None, None)
    assert partly.stats is not None and (partly.stats.nan, partly.stats.inf) == (0, 1)
    assert (partly.stats.min, partly.stats.max, partly.stats.mean) == (0.25, 0.75, 0.5)
    assert counted.stats is not None and (counted.stats.min, counted.stats.max) == (-3, 12)
    assert counted.stats.mean == 6.0
    assert type(counted.stats.min) is int and counted.stats.norm == 15.29706  # sqrt(234), 7 digits
    assert rounded.stats is not None and (rounded.stats.min, rounded.stats.max) == (0.3333333, 0.6666667)
    assert (rounded.stats.nan, rounded.stats.inf) == (0, 0)


def test_integers_beyond_2_53_become_decimal_strings() -> None:
    data = one(torch.tensor([2**60, -(2**53), 7]))
    assert data.values == [str(2**60), -(2**53), 7]
    assert data.stats is not None and data.stats.max == str(2**60)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_values_are_exact_floats(dtype: torch.dtype) -> None:
    tensor = torch.tensor([0.5, -1.25, 3.0], dtype=dtype)
    data = one(tensor)
    assert data.dtype == str(dtype).removeprefix("torch.") and data.values == [0.5, -1.25, 3.0]


def test_the_same_tensor_twice_is_encoded_once_and_order_is_kept() -> None:
    a, b = torch.tensor([1.0]), torch.tensor([2.0])
    first, second, third = encode([a, b, a], max_inline=4)
    assert first is third and second.values == [2.0]


def test_floats_travel_with_seven_significant_digits_and_heatmaps_with_three() -> None:
    data = one(torch.full((8, 8), 1.1) / 3, max_inline=8)
    assert data.preview == [0.3666667] * 8
    assert data.heatmap is not None and data.heatmap.values[0][0] == 0.367
    assert one(torch.tensor([1.1, 1e-12, 123456789.0])).values == [1.1, 1e-12, 123456800.0]


def test_heatmaps_of_many_leading_dim_tensors_are_each_their_own() -> None:
    torch.manual_seed(0)
    tensors = [torch.randn(2, 20, 20) for _ in range(6)]  # their means were fresh memory, reused in turn
    for tensor, data in zip(tensors, encode(tensors, max_inline=8), strict=True):
        assert data.heatmap is not None
        expected = block_means(tensor.double().mean(0), 16, 16)
        torch.testing.assert_close(
            torch.tensor(data.heatmap.values, dtype=torch.float64), expected, rtol=5e-3, atol=1e-3
        )


def test_a_matrix_with_leading_ones_has_the_heatmap_of_its_2d_view() -> None:
    mask = torch.tril(torch.ones(40, 40))
    flat, wrapped = encode([mask, mask.view(1, 1, 40, 40)], max_inline=8)
    assert wrapped.heatmap is not None and wrapped.heatmap == flat.heatmap
    assert wrapped.heatmap.values[0][:3] == [0.667, 0.0, 0.0] and wrapped.heatmap.values[15][15] == 0.75


def test_views_of_one_memory_share_one_big_stats_reduction(monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("app.capture.reductions")
    reduced: list[tuple[int, ...]] = []

    def counting(tensor: torch.Tensor) -> torch.Tensor:
        reduced.append(tuple(tensor.shape))
        return stats_row(tensor)

    monkeypatch.setattr(module, "stats_row", counting)
    torch.manual_seed(0)
    weight = torch.randn(400, 300)  # beyond the batched small-tensor size
    grad = weight.detach()  # a gradient seen by two hooks: another tensor object, the same memory
    data = encode([weight, weight.t(), grad, weight[:300]], max_inline=8)
    assert sorted(reduced) == [(300, 300), (400, 300)]  # a part of the memory is another tensor
    assert data[0].stats == data[1].stats == data[2].stats and data[0].stats is not None
    assert data[0].stats.norm == pytest.approx(weight.double().norm().item(), rel=1e-6)

"""Stats reductions: chunked big-tensor stats and stacked small-tensor stats against float64 torch."""

from __future__ import annotations

import threading

import pytest
import torch

from app.capture import reductions
from app.capture.reductions import CACHE_CHUNK, NORM_ROW, STACK_CHUNK, big_stats, segment_stats, stats_row


def expected(tensor: torch.Tensor) -> list[float]:
    exact = tensor.double()
    return [
        exact.min().item(),
        exact.max().item(),
        exact.mean().item(),
        exact.std().item(),
        exact.norm().item(),
    ]


def test_a_big_tensor_is_reduced_across_chunks_and_a_ragged_tail() -> None:
    torch.manual_seed(0)
    tensor = torch.randn(2 * CACHE_CHUNK + 3 * NORM_ROW + 123) * 0.02 + 0.001  # three pieces and a tail
    tensor[CACHE_CHUNK + 5] = 7.5  # extremes in the middle chunk and in the tail
    tensor[-1] = -6.25
    low, high, mean, std, norm = stats_row(tensor).tolist()
    want = expected(tensor)
    assert (low, high) == (-6.25, 7.5)
    assert mean == pytest.approx(want[2], rel=1e-6)
    assert std == pytest.approx(want[3], rel=1e-6) and norm == pytest.approx(want[4], rel=1e-6)


def test_a_transposed_view_has_the_stats_of_its_matrix() -> None:
    torch.manual_seed(0)
    matrix = torch.randn(700, 300)
    assert stats_row(matrix.t()).tolist() == stats_row(matrix).tolist()
    assert stats_row(matrix[:, ::2]).tolist() == pytest.approx(expected(matrix[:, ::2]), rel=1e-6)


@pytest.mark.parametrize("dtype", [torch.int64, torch.float16, torch.bfloat16])
def test_integers_and_half_floats_are_reduced_widened(dtype: torch.dtype) -> None:
    tensor = (torch.arange(CACHE_CHUNK + 10) % 1000 - 300).to(dtype)  # a half sum of squares would overflow
    assert stats_row(tensor).tolist() == pytest.approx(expected(tensor), rel=1e-5)  # float32 arithmetic


def test_small_tensors_of_many_sizes_match_torch_in_their_order() -> None:
    torch.manual_seed(0)
    many = [torch.randn(12_288) for _ in range(2 * STACK_CHUNK // 12_288 + 3)]  # three stacks of one size
    cancelling = torch.tensor([3e7, 1.0, -3e7])  # a float sum loses the 1.0: mean 0 instead of 1/3
    tensors = [torch.randn(3, 5), *many, torch.arange(7), torch.randn(4).half(), cancelling]
    rows = segment_stats(tensors)
    for tensor, row in zip(tensors, rows, strict=True):
        assert row == pytest.approx(expected(tensor), rel=1e-6)
    assert rows[-1][2] == pytest.approx(1 / 3, rel=1e-12)


def test_big_tensors_are_reduced_on_two_threads_and_answered_in_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: dict[int, list[int]] = {}

    def recording(tensor: torch.Tensor) -> torch.Tensor:
        threads.setdefault(threading.get_ident(), []).append(tensor.numel())
        return stats_row(tensor)

    monkeypatch.setattr(reductions.os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    monkeypatch.setattr(reductions.torch, "get_num_threads", lambda: 1)  # as in the sandbox child
    monkeypatch.setattr(reductions, "stats_row", recording)
    torch.manual_seed(0)
    sizes = [70_000, 300_000, 90_000, 250_000, 80_000]
    tensors = [torch.randn(size) * (i + 1) for i, size in enumerate(sizes)]
    rows = big_stats(tensors)
    for tensor, row in zip(tensors, rows, strict=True):
        assert row == pytest.approx(expected(tensor), rel=1e-5)
    loads = sorted(sum(share) for share in threads.values())  # biggest first, each to the least loaded
    assert len(threads) == reductions.BIG_STATS_THREADS == 2 and loads == [380_000, 410_000]
    assert big_stats([]) == []
    threads.clear()
    monkeypatch.setattr(reductions.torch, "get_num_threads", lambda: 4)  # torch on every core: no helper
    assert big_stats(tensors) == rows and list(threads) == [threading.get_ident()]

"""Heatmaps: cells known from the shape, the budget rule, and block means against a plain loop."""

from __future__ import annotations

import torch
from heatmap_oracle import block_means

from app.capture.heatmaps import grid_cells, heatmap, kept_heatmaps


def test_cells_come_from_the_shape_alone() -> None:
    assert grid_cells(torch.ones(40, 10), max_inline=8) == 16 * 10
    assert grid_cells(torch.ones(3, 1, 50, 4), max_inline=8) == 16 * 4
    assert grid_cells(torch.ones(2, 3), max_inline=8) == 0  # small: sent in full
    assert (
        grid_cells(torch.ones(1, 300), max_inline=8) == 0 and grid_cells(torch.ones(300), max_inline=8) == 0
    )


def test_the_biggest_lose_theirs_first_and_equal_sizes_in_order() -> None:
    sizes = [(1600, 256), (16, 0), (400, 256), (400, 256), (100, 100)]
    assert kept_heatmaps(sizes, budget=None) == [True, False, True, True, True]
    assert kept_heatmaps(sizes, budget=10_000) == [True, False, True, True, True]
    assert kept_heatmaps(sizes, budget=356) == [False, False, False, True, True]
    assert kept_heatmaps(sizes, budget=99) == [False, False, False, False, False]


def test_block_means_match_a_plain_loop_for_ints_and_leading_dims() -> None:
    torch.manual_seed(0)
    values = torch.randint(-50, 50, (2, 37, 21))
    grid = heatmap(values, {})
    torch.testing.assert_close(grid, block_means(values.double().mean(0), 16, 16))


def test_a_transposed_view_reuses_its_matrix_grid_transposed() -> None:
    matrix = torch.arange(40.0 * 30).reshape(40, 30)
    pooled: dict[tuple[object, ...], torch.Tensor] = {}
    grid = heatmap(matrix, pooled)
    assert torch.equal(heatmap(matrix.t(), pooled), grid.t()) and len(pooled) == 1
    torch.testing.assert_close(grid, block_means(matrix, 16, 16).float())

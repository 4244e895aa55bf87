"""Heatmaps for the encoder: which tensors get one within a response's cell budget, and the pooling itself.

The budget is settled from shapes alone before anything is pooled: on GPT-2 124M pooling every big tensor
cost ~250 ms, and most of those grids were then thrown away for the budget.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import torch
import torch.nn.functional as F

__all__ = ["HEATMAP_CELLS", "heatmap", "grid_cells", "kept_heatmaps"]

HEATMAP_CELLS = 16  # rows and columns of a heatmap grid, at most (32 x 32 made GPT-2 124M send 9 MB)


def grid_cells(tensor: torch.Tensor, max_inline: int) -> int:
    """Cells of the tensor's heatmap, 0 for none: only truncated tensors whose last two dims are both > 1
    get one (a 1 x N row adds nothing the stats and preview do not show)."""
    if tensor.numel() <= max_inline or tensor.dim() < 2 or min(tensor.shape[-2:]) <= 1:
        return 0
    return min(tensor.shape[-2], HEATMAP_CELLS) * min(tensor.shape[-1], HEATMAP_CELLS)


def kept_heatmaps(sizes: Sequence[tuple[int, int]], budget: int | None) -> list[bool]:
    """Per (numel, cells) of distinct tensors: whether its heatmap stays. The biggest tensors lose theirs
    first (ties: the earlier one first) until the rest hold at most `budget` cells; None: no budget."""
    kept = [cells > 0 for _, cells in sizes]
    total = sum(cells for _, cells in sizes)
    if budget is None:
        return kept
    for position in sorted(range(len(sizes)), key=lambda i: -sizes[i][0]):
        if total <= budget:
            break
        total -= sizes[position][1]
        kept[position] = False
    return kept


def heatmap(tensor: torch.Tensor, pooled: dict[tuple[object, ...], torch.Tensor]) -> torch.Tensor:
    """Mean over the leading dims, then block means on at most HEATMAP_CELLS x HEATMAP_CELLS cells.
    A transposed matrix (`w.t()`) is pooled untransposed, so it reuses `w`'s grid from `pooled`."""
    rows, cols = tensor.shape[-2], tensor.shape[-1]
    work = tensor if tensor.is_floating_point() else tensor.double()
    if work is not tensor or math.prod(tensor.shape[:-2]) != 1:
        # fresh memory, shared by no other view: keying `pooled` on its address let a later mean that
        # reused the freed address pick up this grid
        return _block_means(work.reshape(-1, rows, cols).mean(0))
    grid = tensor.reshape(rows, cols)  # a view, also of a (1, 1, T, T) causal mask (a mean cost 7 ms each)
    transposed = grid.stride(0) == 1 and grid.stride(1) != 1
    base = grid.t() if transposed else grid
    key = (base.data_ptr(), base.dtype, base.device, tuple(base.shape), base.stride())
    if key not in pooled:
        pooled[key] = _block_means(base)
    return pooled[key].t() if transposed else pooled[key]


def _block_means(grid: torch.Tensor) -> torch.Tensor:
    """Row i of the result averages input rows [i*R/n, (i+1)*R/n) (same for columns): one pass, index_add."""
    rows, cols = grid.shape
    out_rows, out_cols = min(rows, HEATMAP_CELLS), min(cols, HEATMAP_CELLS)
    if (out_rows, out_cols) == (rows, cols):
        return grid
    row_ids, col_blocks, counts = _blocks(rows, cols, grid.device, grid.dtype)
    sums = torch.zeros(out_rows, cols, dtype=grid.dtype, device=grid.device).index_add_(0, row_ids, grid)
    return (sums @ col_blocks) / counts  # columns by a one-hot matmul: index_add along dim 1 is strided


@cache
def _blocks(
    rows: int, cols: int, device: torch.device, dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Block of each row, a (cols, blocks) one-hot column matrix and elements per cell, for one shape."""
    out_rows, out_cols = min(rows, HEATMAP_CELLS), min(cols, HEATMAP_CELLS)
    row_ids = torch.arange(rows, device=device) * out_rows // rows
    col_ids = torch.arange(cols, device=device) * out_cols // cols
    col_blocks = F.one_hot(col_ids, out_cols).to(dtype)
    counts = torch.bincount(row_ids, minlength=out_rows)[:, None] * torch.bincount(
        col_ids, minlength=out_cols
    )
    return row_ids, col_blocks, counts.to(dtype)

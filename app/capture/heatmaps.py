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

__all__ = [
    "HEATMAP_CELLS",
    "MAX_HEADS",
    "MAX_HEAD_TOKENS",
    "grid_cells",
    "head_grids",
    "heatmap",
    "kept_heatmaps",
]

HEATMAP_CELLS = 16  # rows and columns of a heatmap grid, at most (32 x 32 made GPT-2 124M send 9 MB)
MAX_HEADS = 16  # attention heads drawn one grid each, at most
MAX_HEAD_TOKENS = 64  # sequence length (T of a [B, heads, T, T] attention matrix) drawn per head, at most


def grid_cells(tensor: torch.Tensor, max_inline: int) -> int:
    """Cells of the tensor's heatmap, 0 for none: only truncated tensors whose last two dims are both > 1
    get one (a 1 x N row adds nothing the stats and preview do not show)."""
    shape = tensor.shape
    if len(shape) < 2 or tensor.numel() <= max_inline:
        return 0
    rows, cols = shape[-2], shape[-1]
    return 0 if rows <= 1 or cols <= 1 else min(rows, HEATMAP_CELLS) * min(cols, HEATMAP_CELLS)


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


def head_grids(tensor: torch.Tensor) -> torch.Tensor | None:
    """One grid per head of an attention matrix [B, heads, T, T] (queries x keys) of the first sequence in
    the batch, each pooled like `heatmap` (exact up to T = 16): (heads, rows, cols). None for other shapes,
    more than MAX_HEADS heads or T above MAX_HEAD_TOKENS: the averaged heatmap alone would hide each head's
    pattern, and the causal mask's triangle with it."""
    if tensor.dim() != 4 or tensor.shape[-1] != tensor.shape[-2] or tensor.shape[0] < 1:
        return None
    heads, tokens = tensor.shape[1], tensor.shape[-1]
    if not 1 < heads <= MAX_HEADS or not 1 < tokens <= MAX_HEAD_TOKENS:
        return None
    first = tensor[0] if tensor.is_floating_point() else tensor[0].double()
    if tokens <= HEATMAP_CELLS:
        return first  # a cell per query and key already: no per-head pooling (GPT-2's 288 heads: 0.5 ms)
    return torch.stack([_block_means(first[head]) for head in range(heads)])


def _block_means(grid: torch.Tensor) -> torch.Tensor:
    """Cell (i, j) averages rows [i*R/n, (i+1)*R/n) and the same span of columns: two small matmuls with
    averaging matrices (four ops with index_add, and ops are what a small grid costs)."""
    rows, cols = grid.shape
    row_means, col_means = _averaging(rows, cols, grid.device, grid.dtype)
    if rows > HEATMAP_CELLS:
        grid = row_means @ grid
    return grid @ col_means if cols > HEATMAP_CELLS else grid


@cache
def _averaging(
    rows: int, cols: int, device: torch.device, dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Tensor]:
    """An (out_rows, rows) matrix whose row i averages input rows of block i, and a (cols, out_cols) one."""
    return _block_weights(rows, device, dtype), _block_weights(cols, device, dtype).t()


def _block_weights(size: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    blocks = min(size, HEATMAP_CELLS)
    members = F.one_hot(torch.arange(size, device=device) * blocks // size, blocks).t().to(dtype)
    return members / members.sum(1, keepdim=True)

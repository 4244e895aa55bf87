"""The heatmap oracle shared by the encode and heatmap tests: block means with a plain loop."""

from __future__ import annotations

import torch


def block_means(matrix: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """Cell (i, j) averages the elements whose row r and column c have r*rows//R == i and c*cols//C == j."""
    height, width = matrix.shape
    cells = torch.zeros(rows, cols, dtype=torch.float64)
    counts = torch.zeros(rows, cols, dtype=torch.float64)
    for r in range(height):
        for c in range(width):
            cells[r * rows // height, c * cols // width] += matrix[r, c].item()
            counts[r * rows // height, c * cols // width] += 1
    return cells / counts

"""Every tensor the response shows, gathered first and encoded in one batch (see app.capture.encode)."""

from __future__ import annotations

import time

import torch

from app.capture.ahead import StatsAhead
from app.capture.encode import encode_within, json_numbers
from app.capture.heatmaps import head_grids
from app.capture.transfer import cat_on_host
from app.models import Heatmap, TensorData

__all__ = ["HEAD_CELL_BUDGET", "HEATMAP_CELL_BUDGET", "TensorTable"]

HEATMAP_CELL_BUDGET = 80_000  # heatmap cells per response (~8 JSON bytes each): a huge graph stays a few MB
HEAD_CELL_BUDGET = 80_000  # per-head attention cells per response (~6 bytes each): all of GPT-2 124M's
HEAD_DIGITS = 4  # significant digits of a head's cells: a colour needs no more


class TensorTable:
    """Collect tensors while the graph is assembled, encode once, then look each one up."""

    def __init__(
        self, max_inline: int, heatmap_cells: int = HEATMAP_CELL_BUDGET, ahead: StatsAhead | None = None
    ) -> None:
        self._max_inline = max_inline
        self._heatmap_cells = heatmap_cells
        self._ahead = ahead
        self._tensors: dict[int, torch.Tensor] = {}
        self._attention: dict[int, torch.Tensor] = {}  # tensors drawn one heatmap per head, in forward order
        self._data: dict[int, TensorData] = {}
        self._summaries: dict[int, TensorData] = {}
        self.encode_ms = 0.0
        self.heatmaps_dropped = 0

    def add(self, tensor: torch.Tensor | None) -> None:
        if tensor is not None:
            self._tensors.setdefault(id(tensor), tensor)

    def add_attention(self, tensor: torch.Tensor | None) -> None:
        """A tensor to encode with one heatmap per attention head (a softmax over [B, heads, T, T] scores)."""
        if tensor is not None:
            self.add(tensor)
            self._attention.setdefault(id(tensor), tensor)

    def encode(self) -> None:
        start = time.perf_counter()
        data, self.heatmaps_dropped = encode_within(
            list(self._tensors.values()),
            max_inline=self._max_inline,
            heatmap_cells=self._heatmap_cells,
            ahead=self._ahead,
        )
        self._data = dict(zip(self._tensors, data, strict=True))
        self._add_heads()
        self.encode_ms = (time.perf_counter() - start) * 1000

    def _add_heads(self) -> None:
        """Per-head grids for the attention tensors, the first ones first, within HEAD_CELL_BUDGET."""
        left = HEAD_CELL_BUDGET
        picked: dict[int, torch.Tensor] = {}
        with torch.no_grad():
            for key, tensor in self._attention.items():
                grids = head_grids(tensor.detach())
                if grids is None or grids.numel() > left:
                    continue
                left -= grids.numel()
                picked[key] = grids
        for key, heads in zip(picked, _heatmaps(list(picked.values())), strict=True):
            self._data[key] = self._data[key].model_copy(update={"heads": heads})

    def __getitem__(self, tensor: torch.Tensor | None) -> TensorData | None:
        return None if tensor is None else self._data[id(tensor)]

    def summary(self, tensor: torch.Tensor | None) -> TensorData | None:
        """Stats only for a truncated tensor: edges and backward events repeat a gradient whose node carries
        the full picture, and the page reads only their stats (GPT-2's response was 47 MB with heatmaps)."""
        data = self[tensor]
        if data is None or not data.truncated:
            return data
        key = id(data)
        if key not in self._summaries:
            self._summaries[key] = data.model_copy(update={"heatmap": None, "preview": None, "heads": None})
        return self._summaries[key]


def _heatmaps(grids: list[torch.Tensor]) -> list[list[Heatmap]]:
    """Each (heads, rows, cols) as JSON-safe heatmaps, rounded and converted in one pass over all of them (one
    model per head, not validated again: GPT-2 124M has 24 attention tensors, 288 heads, 73,728 cells)."""
    if not grids:
        return []
    cells = json_numbers(cat_on_host([grid.reshape(-1) for grid in grids]).double(), HEAD_DIGITS)
    heatmaps: list[list[Heatmap]] = []
    start = 0
    for grid in grids:
        heads, rows, cols = grid.shape
        lines = [cells[first : first + cols] for first in range(start, start + heads * rows * cols, cols)]
        start += heads * rows * cols
        heatmaps.append(
            [
                Heatmap.model_construct(rows=rows, cols=cols, values=lines[head * rows : (head + 1) * rows])
                for head in range(heads)
            ]
        )
    return heatmaps

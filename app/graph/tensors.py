"""Every tensor the response shows, gathered first and encoded in one batch (see app.capture.encode)."""

from __future__ import annotations

import time

import torch

from app.capture.encode import encode_within
from app.models import TensorData

__all__ = ["HEATMAP_CELL_BUDGET", "TensorTable"]

HEATMAP_CELL_BUDGET = 80_000  # heatmap cells per response (~8 JSON bytes each): a huge graph stays a few MB


class TensorTable:
    """Collect tensors while the graph is assembled, encode once, then look each one up."""

    def __init__(self, max_inline: int, heatmap_cells: int = HEATMAP_CELL_BUDGET) -> None:
        self._max_inline = max_inline
        self._heatmap_cells = heatmap_cells
        self._tensors: dict[int, torch.Tensor] = {}
        self._data: dict[int, TensorData] = {}
        self._summaries: dict[int, TensorData] = {}
        self.encode_ms = 0.0
        self.heatmaps_dropped = 0

    def add(self, tensor: torch.Tensor | None) -> None:
        if tensor is not None:
            self._tensors.setdefault(id(tensor), tensor)

    def encode(self) -> None:
        start = time.perf_counter()
        data, self.heatmaps_dropped = encode_within(
            list(self._tensors.values()), max_inline=self._max_inline, heatmap_cells=self._heatmap_cells
        )
        self._data = dict(zip(self._tensors, data, strict=True))
        self.encode_ms = (time.perf_counter() - start) * 1000

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
            self._summaries[key] = data.model_copy(update={"heatmap": None, "preview": None})
        return self._summaries[key]

"""Every tensor the response shows, gathered first and encoded in one batch (see app.capture.encode)."""

from __future__ import annotations

import time

import torch

from app.capture.encode import encode
from app.models import TensorData

__all__ = ["TensorTable"]


class TensorTable:
    """Collect tensors while the graph is assembled, encode once, then look each one up."""

    def __init__(self, max_inline: int) -> None:
        self._max_inline = max_inline
        self._tensors: dict[int, torch.Tensor] = {}
        self._data: dict[int, TensorData] = {}
        self._summaries: dict[int, TensorData] = {}
        self.encode_ms = 0.0

    def add(self, tensor: torch.Tensor | None) -> None:
        if tensor is not None:
            self._tensors.setdefault(id(tensor), tensor)

    def encode(self) -> None:
        start = time.perf_counter()
        tensors = list(self._tensors.values())
        self._data = dict(zip(self._tensors, encode(tensors, max_inline=self._max_inline), strict=True))
        self.encode_ms = (time.perf_counter() - start) * 1000

    def __getitem__(self, tensor: torch.Tensor | None) -> TensorData | None:
        return None if tensor is None else self._data[id(tensor)]

    def summary(self, tensor: torch.Tensor | None) -> TensorData | None:
        """Without the heatmap: for edges and backward events, whose node carries the full picture (GPT-2's
        response was 47 MB, mostly the same heatmaps repeated on every event and edge)."""
        data = self[tensor]
        if data is None or data.heatmap is None:
            return data
        key = id(data)
        if key not in self._summaries:
            self._summaries[key] = data.model_copy(update={"heatmap": None})
        return self._summaries[key]

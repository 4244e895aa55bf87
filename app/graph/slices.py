"""One page of a tensor's elements in row-major order, JSON-safe, converting only that page to Python."""

from __future__ import annotations

import math

import torch

from app.capture.encode import json_scalar
from app.errors import InvalidRequest
from app.models import Scalar

__all__ = ["flat_slice", "json_values", "page_of"]

FLOAT32_DIGITS = 9  # significant digits that give back the same float32 (float16/bfloat16 too)


def page_of(tensor: torch.Tensor, offset: int, limit: int) -> list[Scalar]:
    """Elements offset ... offset + limit - 1 (fewer at the end); offset must fall inside the tensor."""
    numel = tensor.numel()
    if offset >= max(numel, 1):
        last = f"offsets 0 to {numel - 1}" if numel else "it is empty: offset 0 only"
        raise InvalidRequest(f"offset {offset} is beyond the tensor's {numel} elements ({last})")
    return json_values(flat_slice(tensor, offset, min(offset + limit, numel)))


def flat_slice(tensor: torch.Tensor, start: int, stop: int) -> torch.Tensor:
    """tensor.reshape(-1)[start:stop] without copying more than the rows that hold it (views are strided)."""
    if tensor.dim() <= 1 or tensor.is_contiguous():
        return tensor.reshape(-1)[start:stop]
    inner = math.prod(tensor.shape[1:])
    first, last = start // inner, (stop - 1) // inner
    if first == last:
        return flat_slice(tensor[first], start - first * inner, stop - first * inner)
    head = flat_slice(tensor[first], start - first * inner, inner)
    middle = tensor[first + 1 : last].reshape(-1)  # whole rows: at most `stop - start` elements
    tail = flat_slice(tensor[last], 0, stop - last * inner)
    return torch.cat([head, middle, tail])


def json_values(values: torch.Tensor) -> list[Scalar]:
    """A 1-D tensor as JSON-safe Python scalars, exact for its dtype."""
    items = values.cpu().tolist()
    if values.dtype == torch.bool:
        return list(items)
    if values.is_floating_point() and values.dtype != torch.float64:
        return [json_scalar(float(f"{item:.{FLOAT32_DIGITS}g}")) for item in items]
    return [json_scalar(item) for item in items]

"""Numbers as a formula card shows them: four decimals, a true minus sign, small tensors written out."""

from __future__ import annotations

import math

import torch

__all__ = ["MINUS", "number", "tensor_text"]

MINUS = "\u2212"  # "−": the sign the page and the formula cards use
_INLINE = 8  # elements written out in a formula; bigger tensors are named by shape


def number(value: float) -> str:
    """`-1.08886` -> "−1.0889"; very small or large magnitudes in e-notation; NaN and infinities by name."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    magnitude = abs(value)
    text = f"{magnitude:.4f}" if magnitude == 0 or 1e-3 <= magnitude < 1e5 else f"{magnitude:.4g}"
    return f"{MINUS}{text}" if value < 0 and text.strip("0.") else text


def tensor_text(tensor: torch.Tensor) -> str:
    """A scalar as a number, a small tensor as nested brackets, anything bigger as its shape."""
    if tensor.numel() == 1:
        return number(float(tensor.reshape(()).item()))
    if tensor.numel() > _INLINE:
        return "(" + ", ".join(str(size) for size in tensor.shape) + ")"
    return _nested(tensor.detach().cpu().double().tolist())


def _nested(values: object) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_nested(item) for item in values) + "]"
    assert isinstance(values, float)
    return number(values)

"""Numbers as the English cards write them: four decimals, a true minus sign, NaN and ±∞ by name."""

from __future__ import annotations

import math

__all__ = ["MINUS", "number"]

MINUS = "\u2212"  # "−": the sign the page and the formula cards use


def number(value: float) -> str:
    """`-1.08886` -> "−1.0889"; an integer as it is; very small or large magnitudes in e-notation."""
    if isinstance(value, int):
        return str(value).replace("-", MINUS)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    magnitude = abs(value)
    text = f"{magnitude:.4f}" if magnitude == 0 or 1e-3 <= magnitude < 1e5 else f"{magnitude:.4g}"
    return f"{MINUS}{text}" if value < 0 and text.strip("0.") else text

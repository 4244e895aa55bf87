"""Numbers as English cards write them."""

from __future__ import annotations

import math

import pytest

from app.teach.numbers import number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-1.08886, "−1.0889"),
        (0.075, "0.0750"),
        (0.0, "0.0000"),
        (-0.00001, "−1e-05"),
        (-0.00004, "−4e-05"),
        (123456.0, "1.235e+05"),
        (math.nan, "NaN"),
        (-math.inf, "−∞"),
        (math.inf, "∞"),
        (16, "16"),
        (-3, "−3"),
    ],
)
def test_number(value: float, text: str) -> None:
    assert number(value) == text

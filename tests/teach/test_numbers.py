"""Numbers as formula cards write them."""

from __future__ import annotations

import math

import pytest
import torch

from app.teach.numbers import number, tensor_text


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
    ],
)
def test_number(value: float, text: str) -> None:
    assert number(value) == text


def test_tensor_text_writes_small_tensors_and_names_big_ones_by_shape() -> None:
    assert tensor_text(torch.tensor(-0.0817)) == "−0.0817"
    assert tensor_text(torch.tensor([[1.0, -2.0]])) == "[[1.0000, −2.0000]]"
    assert tensor_text(torch.zeros(3, 4)) == "(3, 4)"

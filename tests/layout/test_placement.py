"""Placement: the row fit keeps gaps with least squares, and a long main path stays in one column."""

from __future__ import annotations

import pytest
from layout_graphs import Builder

from app.layout import layout
from app.layout.placement import fit_row, fits


def test_fit_spreads_items_that_all_want_the_same_spot_evenly() -> None:
    assert fit_row([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [10.0, 10.0]) == pytest.approx([-10.0, 0.0, 10.0])


def test_fit_leaves_items_that_already_keep_their_gaps() -> None:
    assert fits([0.0, 20.0, 50.0], [10.0, 10.0])
    assert fit_row([0.0, 20.0, 50.0], [1.0, 1.0, 1.0], [10.0, 10.0]) == pytest.approx([0.0, 20.0, 50.0])


def test_light_item_steps_aside_for_a_heavy_one() -> None:
    left, right = fit_row([0.0, 0.0], [1.0, 0.01], [10.0])
    assert left == pytest.approx(-10 * 0.01 / 1.01)
    assert right - left == pytest.approx(10.0)


def test_fit_matches_brute_force_least_squares() -> None:
    desired, weight, gaps = [5.0, 1.0, 30.0, 29.0], [1.0, 2.0, 1.0, 3.0], [8.0, 8.0, 8.0]
    fitted = fit_row(desired, weight, gaps)
    assert all(b - a >= g - 1e-9 for a, b, g in zip(fitted, fitted[1:], gaps, strict=False))
    cost = sum(w * (x - d) ** 2 for x, d, w in zip(fitted, desired, weight, strict=True))
    for nudge in (-0.5, 0.5):  # moving any pooled block either way costs more or breaks a gap
        for index in range(4):
            moved = list(fitted)
            moved[index] += nudge
            feasible = all(b - a >= g - 1e-9 for a, b, g in zip(moved, moved[1:], gaps, strict=False))
            if feasible:
                assert sum(w * (x - d) ** 2 for x, d, w in zip(moved, desired, weight, strict=True)) >= cost


def test_main_path_with_weights_beside_it_stays_in_one_column() -> None:
    b = Builder()
    x = b.leaf("x", [4], None, kind="input")
    for index in range(6):  # each step: h = h * w_i + h (a parameter and a residual)
        w = b.leaf(f"w{index}", [4], None)
        x = b.op("AddBackward0", [b.op("MulBackward0", [x, w], [4], None), x], [4], None)
    out = layout(b.graph())
    adds = [n for n in out.nodes if n.op == "AddBackward0"]
    centres = [n.x + n.w / 2 for n in adds]
    assert max(centres) - min(centres) < 0.1  # px

"""initial_layout: fold, default collapse and layout in one call, with the garbage collector paused."""

from __future__ import annotations

import gc

import pytest
from layout_graphs import gpt2_like

import app.layout.initial
from app.layout import default_collapsed, fold_repeats, initial_layout, layout
from app.models import GraphResponse


def test_initial_layout_is_fold_collapse_layout() -> None:
    graph = gpt2_like(n_blocks=3)
    drawn = initial_layout(graph)
    folded = fold_repeats(graph)
    expected = layout(folded, default_collapsed(folded))
    assert drawn.timings.pop("layout") >= 0
    assert drawn == expected
    assert any(group.repeat == 3 for group in drawn.groups)


def test_the_collector_is_paused_during_the_layout_only(monkeypatch: pytest.MonkeyPatch) -> None:
    states: list[bool] = []

    def spy(graph: GraphResponse, collapsed: object = None) -> GraphResponse:
        states.append(gc.isenabled())
        return layout(graph, collapsed)  # type: ignore[arg-type]

    monkeypatch.setattr(app.layout.initial, "layout", spy)
    initial_layout(gpt2_like(n_blocks=2))
    assert states == [False]
    assert gc.isenabled()

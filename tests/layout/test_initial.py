"""initial_layout: fold, default collapse and layout in one call, without a garbage collection inside."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from app.layout import default_collapsed, fold_repeats, initial_layout, layout
from tests.layout.layout_graphs import gpt2_like


@pytest.fixture
def eager_collector() -> Iterator[list[int]]:
    """Collections counted, with a threshold low enough that any burst of allocation would start some."""
    seen: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    thresholds = gc.get_threshold()
    gc.set_threshold(10, 1, 1)
    gc.callbacks.append(count)
    try:
        yield seen
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*thresholds)


def test_initial_layout_is_fold_collapse_layout() -> None:
    graph = gpt2_like(n_blocks=3)
    drawn = initial_layout(graph)
    folded = fold_repeats(graph)
    expected = layout(folded, default_collapsed(folded))
    assert drawn.timings.pop("layout") >= 0
    assert drawn == expected
    assert any(group.repeat == 3 for group in drawn.groups)


def test_no_collection_runs_inside(eager_collector: list[int]) -> None:
    graph = gpt2_like(n_blocks=3)
    eager_collector.clear()
    initial_layout(graph)
    assert eager_collector == []
    assert gc.isenabled()
    [object() for _ in range(100)]  # noqa: B018  # collections resume afterwards
    assert eager_collector != []

"""The package's public names are pinned: the runner, the API and the page rely on them."""

from __future__ import annotations

import app.layout


def test_public_names() -> None:
    assert app.layout.__all__ == ["default_collapsed", "fold_repeats", "initial_layout", "layout", "relayout"]
    assert all(callable(getattr(app.layout, name)) for name in app.layout.__all__)


def test_docstring_states_the_coordinate_convention() -> None:
    assert app.layout.__doc__ is not None and "TOP-LEFT" in app.layout.__doc__

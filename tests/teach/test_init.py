"""The package's public names are pinned."""

from __future__ import annotations

import app.teach


def test_public_names() -> None:
    assert sorted(app.teach.__all__) == [
        "annotate",
        "check_gradients",
        "enrich",
        "explain_backward",
        "explain_steps",
        "gradient_health",
        "train",
    ]

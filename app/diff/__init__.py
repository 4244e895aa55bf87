"""Comparing two runs (issue #20, part 1): nodes matched by program position, value and gradient deltas.

The page does the same in static/js/model/diff.js; tests/js/fixtures/diff.json holds the cases both must
answer alike."""

from app.diff.match import diff_graphs

__all__ = ["diff_graphs"]

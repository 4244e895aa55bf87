"""Layered (Sugiyama) layout of a graph, with collapsible groups, for the page to draw top to bottom.

Coordinates are px, y grows downward, and every box (node or group) is given by its TOP-LEFT corner `x, y`
and its size `w, h`, like an SVG <rect>. The main input is at the top and the loss at the bottom;
parameters, buffers and targets sit just above their first use (inside their module's frame).

- Node boxes fit their text at 12 px monospace (~7 px per character): the label, then the op (or fn) when
  it differs from the label, then the shape ("[2, 3]" or "scalar"); at least 64 x 30 for values, 48 x 30 for
  ops. The page may draw any shape inside that box.
- Edge `points` run from the source box's bottom centre to the target box's top centre through one or two
  bend points per layer crossed (a polyline); past a budget of 20,000 bends the longest edges are
  straight two-point lines. An edge whose ends are both inside one collapsed group has no points.
- A collapsed group is drawn as one box (the group's x, y, w, h); the nodes and groups inside it get
  w = h = 0 at that box's centre. An expanded group's box frames its visible members with 10 px padding
  per nesting level and an 18 px label band at the top; groups nested in it are framed inside it.
- Every output group's `collapsed` flag says whether it was collapsed in this layout. A stack group from
  `fold_repeats` (`repeat` > 1, e.g. `blocks[0-11]`) collapsed is one box for all its blocks.
- A module called in several places (a shared Dropout, a second forward pass) gets one group per call:
  `fold_repeats` splits it into `drop` and `drop#2` ("drop (Dropout) (call 2)"), so no frame stretches across
  the drawing and collapsing one call never merges far-apart ops.
- The drawing's size is the response's `width` and `height`. The same input gives the same coordinates.

Use: `initial_layout(graph)` for a fresh run: `fold_repeats(graph)` (one group per module call, stack
identical blocks), `Group.collapsed` from `default_collapsed(graph)`, then `layout(graph)`;
`relayout(LayoutRequest)` serves POST /layout for a new collapse state.
"""

from __future__ import annotations

from app.layout.collapse import default_collapsed
from app.layout.engine import layout, relayout
from app.layout.fold import fold_repeats
from app.layout.initial import initial_layout

__all__ = ["default_collapsed", "fold_repeats", "initial_layout", "layout", "relayout"]

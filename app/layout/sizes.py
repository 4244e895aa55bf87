"""Box sizes from the text a box shows, assuming a 12 px monospace font (~7 px per character)."""

from __future__ import annotations

from app.models import Group, Node

CHAR_W = 7.0  # px per character at 12 px monospace
LINE_H = 16.0  # px per text line
PAD_X = 10.0  # px of horizontal padding on each side of the text
PAD_Y = 6.0  # px of vertical padding above and below the text
MIN_W = {"op": 48.0, "value": 64.0}  # ops may be drawn as small pills, values as wider records
MIN_H = 30.0
TOGGLE_W = 18.0  # px of a collapsed call's box taken by the ▸ that opens it


def shape_text(shape: list[int]) -> str:
    """How a shape is printed: "[2, 3]", or "scalar" for 0-d."""
    return "[" + ", ".join(str(size) for size in shape) + "]" if shape else "scalar"


def node_lines(node: Node) -> list[str]:
    """The text a node box must fit: label, the op (or fn) when it differs from the label, the shape."""
    lines = [node.label]
    name = node.op or node.fn
    if name and name != node.label:
        lines.append(name)
    lines.append(shape_text(node.shape))
    return lines


def group_lines(group: Group) -> list[str]:
    """The text a collapsed group's box must fit: its label and what it hides."""
    hidden = f"× {group.repeat}" if group.repeat > 1 else f"{group.members} nodes"
    return [group.label, hidden]


def call_lines(group: Group, result: Node | None) -> list[str]:
    """A collapsed call is drawn as the node it stands for: its words, then the function as written with its
    result's shape on one line; the page adds the value and the gradient below (4 lines in all)."""
    shape = shape_text(result.shape) if result is not None else ""
    return [group.label, f"{group.module} · {shape}", ""]


def box_size(lines: list[str], minimum_width: float) -> tuple[float, float]:
    """(w, h) in px that fits `lines` with padding, never below the minimum size."""
    widest = max((len(line) for line in lines), default=0)
    width = max(minimum_width, widest * CHAR_W + 2 * PAD_X)
    height = max(MIN_H, len(lines) * LINE_H + 2 * PAD_Y)
    return width, height


def node_size(node: Node) -> tuple[float, float]:
    """(w, h) of a node: op boxes and value boxes differ only in their minimum width."""
    minimum = MIN_W["op"] if node.kind in ("op", "output") and node.op else MIN_W["value"]
    return box_size(node_lines(node), minimum)


def group_size(group: Group, result: Node | None = None) -> tuple[float, float]:
    """(w, h) of a collapsed group's box; a call's is a node's box (`result`: its first result's node), with
    room on the left for the ▸ that opens it."""
    if group.kind == "call":
        width, height = box_size(call_lines(group, result), MIN_W["op"])
        return width + TOGGLE_W, height
    return box_size(group_lines(group), MIN_W["value"])

"""The names cards give values: each label in derivative notation, "L" for the root of a pass, and a call's
internals named after what they stand for (inside `q @ k.transpose(-2, -1)` the bmm multiplies q by
k.transpose(-2, -1), not `_unsafe_view` by `_unsafe_view`; inside `fc1` the mm multiplies x by
fc1.weightᵀ)."""

from __future__ import annotations

from collections import defaultdict

from app.capture.records import Capture
from app.models import GraphResponse
from app.teach.cards import dname

__all__ = ["ROOT", "Names", "transposed"]

ROOT = "L"  # how formulas name the root of a pass (the loss)
# internals that only move or copy their input's elements: they stand for that input
_SAME = frozenset(
    {
        "aten.expand",
        "aten.clone",
        "aten._unsafe_view",
        "aten.view",
        "aten.reshape",
        "aten._reshape_alias",
        "aten.alias",
    }
)
_TRANSPOSED = "aten.t"  # nn.Linear's Wᵀ
_LONGEST = 16  # internals followed at most


class Names:
    """Labels of one graph, by value record index."""

    def __init__(self, graph: GraphResponse, capture: Capture) -> None:
        self._capture = capture
        self._labels = {int(node.id[1:]): node.label for node in graph.nodes}
        calls = {group.id: set(group.outputs) for group in graph.groups if group.kind == "call"}
        self._internal = {
            int(node.id[1:])
            for node in graph.nodes
            if node.group in calls and node.id not in calls[node.group]
        }
        self._values: dict[int, str] = {}  # names already worked out
        self._consumers: dict[int, list[int]] = defaultdict(list)
        for record in capture.values:
            if not record.dropped and record.index in self._labels:
                for source in set(record.inputs):
                    self._consumers[source].append(record.index)

    def label(self, index: int) -> str:
        """The node's label as the graph shows it (health messages, .grad lines)."""
        return self._labels.get(index, f"n{index}")

    def value(self, index: int) -> str:
        """The name of a value: its label; a call's internal that only reshapes, copies or transposes a
        value is named after it (`x`, `fc1.weightᵀ`), any other internal after the call output it becomes
        (the bmm inside `q @ k.transpose(-2, -1)`)."""
        name = self._values.get(index)
        if name is None:
            name = self._values[index] = self._value(index)
        return name

    def _value(self, index: int) -> str:
        if index not in self._internal:
            return dname(self.label(index), constant=self._capture.values[index].kind == "const")
        source = self._source(index)
        if source is not None:
            return source
        return dname(self.label(self._output(index)))

    def result(self, index: int, *, root: bool) -> str:
        """The name of an op's result: "L" for the root of the pass, else its value's name."""
        return ROOT if root else self.value(index)

    def _source(self, index: int) -> str | None:
        """The value an internal stands for, through reshapes and copies and at most one transpose."""
        suffix = ""
        for _ in range(_LONGEST):
            record = self._capture.values[index]
            if index not in self._internal:
                return dname(self.label(index)) + suffix
            if not record.inputs or record.inputs[0] not in self._labels:
                return None
            if record.fn == _TRANSPOSED and not suffix:
                suffix = "ᵀ"
            elif record.fn not in _SAME:
                return None
            index = record.inputs[0]
        return None

    def _output(self, index: int) -> int:
        """The record an internal becomes through reshapes and copies within its call (itself if none)."""
        for _ in range(_LONGEST):
            consumers = self._consumers.get(index, [])
            if index not in self._internal or len(consumers) != 1:
                break
            following = self._capture.values[consumers[0]]
            if following.fn not in _SAME or following.call != self._capture.values[index].call:
                break
            index = following.index
        return index


def transposed(name: str) -> str:
    """`W` -> `Wᵀ`, `Wᵀ` -> `W`."""
    return name.removesuffix("ᵀ") if name.endswith("ᵀ") else f"{name}ᵀ"

"""Reading a graph response in the API tests: a node by its label, a tensor's one number."""

from __future__ import annotations

from typing import Any


def node(graph: dict[str, Any], label: str) -> dict[str, Any]:
    """The last node with this label (a name rebound later wins, as in the program)."""
    matches = [n for n in graph["nodes"] if n["label"] == label]
    assert matches, f"no node labelled {label!r} in {[n['label'] for n in graph['nodes']]}"
    return matches[-1]


def number(values: Any) -> float:
    """The single number of a scalar or one-element tensor's `values` (nested like its shape)."""
    while isinstance(values, list):
        assert len(values) == 1, values
        values = values[0]
    assert isinstance(values, int | float), values
    return float(values)


def grad(graph: dict[str, Any], label: str) -> float:
    return number(node(graph, label)["grad"]["values"])


def data(graph: dict[str, Any], label: str) -> float:
    return number(node(graph, label)["data"]["values"])

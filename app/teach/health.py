"""Gradient health: where NaN/Inf first appeared, vanishing and exploding gradients, dead ReLUs, saturation.

Each problem is flagged once, at the op that produced it (its inputs or upstream gradients were fine). The
checks read the statistics the encoder already computed for every value and gradient (NaN/Inf counts,
min/max over the finite elements), so a model with 38-million-element tensors costs no extra pass; only
saturation looks at the (few) sigmoid/tanh outputs themselves.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Literal, TypeAlias

from app.capture.records import Capture
from app.models import BackwardEvent, Card, GraphResponse, Health, HealthFlag, Scalar, TensorData
from app.teach.cards import card
from app.teach.render import render

__all__ = ["EXPLODING", "SATURATED", "VANISHING", "gradient_health"]

VANISHING = 1e-7  # max |gradient| below this, where the upstream gradient was not
EXPLODING = 1000  # max |gradient| above this, where the upstream gradient was not
SATURATED = 1e-3  # distance of a sigmoid/tanh output from its bounds
_SATURATED_SHARE = 0.5  # "most elements"
_BOUNDS = {"SigmoidBackward0": (0, 1), "TanhBackward0": (-1, 1)}

Check = Callable[[TensorData], bool]
Kind: TypeAlias = Literal["nan", "inf", "vanishing", "exploding"]
FlagKind: TypeAlias = Literal["nan", "inf", "vanishing", "exploding", "dead_relu", "saturated"]


def gradient_health(graph: GraphResponse, capture: Capture) -> Health:
    """Flags at the first op that showed each problem, and log10 max|grad| per node and edge."""
    labels = {node.id: node.label for node in graph.nodes}
    flags = [
        *_forward_flags(graph, labels),
        *_backward_flags(graph.backward, labels),
        *_saturated(graph, capture),
    ]
    return Health.model_construct(  # numbers made here: no need to validate 1,500 of them again
        flags=flags,
        node_log10={node.id: _log10_peak(node.grad) for node in graph.nodes if node.grad is not None},
        edge_log10={edge.id: _log10_peak(edge.grad) for edge in graph.edges if edge.grad is not None},
    )


# ------------------------------------------------------------ facts of one encoded tensor


def _has_nan(data: TensorData) -> bool:
    return data.stats is not None and data.stats.nan > 0


def _has_inf(data: TensorData) -> bool:
    return data.stats is not None and data.stats.inf > 0


def _peak(data: TensorData) -> float:
    """max |x| over the finite elements (0 when there are none)."""
    stats = data.stats
    return 0.0 if stats is None else max(_magnitude(stats.min), _magnitude(stats.max))


def _magnitude(end: Scalar | None) -> float:
    return abs(float(end)) if isinstance(end, (int, float)) else 0.0  # a tuple: faster than int | float


def _any(check: Check, items: Iterable[TensorData | None]) -> bool:
    return any(check(data) for data in items if data is not None)


# ------------------------------------------------------------ forward values


def _forward_flags(graph: GraphResponse, labels: dict[str, str]) -> Iterator[HealthFlag]:
    inputs: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        inputs[edge.target].append(edge.source)
    data = {node.id: node.data for node in graph.nodes}  # an uninitialised node has none: never a value
    problems: list[tuple[Kind, Check, str]] = [
        ("nan", _has_nan, "health.nan.forward"),
        ("inf", _has_inf, "health.inf.forward"),
    ]
    for kind, check, key in problems:
        node = next(
            (
                n
                for n in graph.nodes
                if n.kind in ("op", "output")
                and n.data is not None
                and check(n.data)
                and not _any(check, (data[i] for i in inputs[n.id]))
            ),
            None,
        )
        if node is not None:
            yield _flag(kind, "forward", node.id, card(key, x=labels[node.id], fn=node.fn or node.op or ""))


# ------------------------------------------------------------ gradients, in the engine's order


_BACKWARD: dict[Kind, Card] = {
    "nan": card("health.nan.backward"),
    "inf": card("health.inf.backward"),
    "vanishing": card("health.vanishing", limit=VANISHING),
    "exploding": card("health.exploding", limit=EXPLODING),
}


def _backward_flags(events: list[BackwardEvent], labels: dict[str, str]) -> Iterator[HealthFlag]:
    """One walk over the events: for each problem the first op whose gradients sent show it while those
    that arrived did not (a gradient usually arrives as one op's output and leaves as the next one's input:
    each encoded tensor's facts are worked out once)."""
    facts: dict[int, frozenset[Kind]] = {}
    first: dict[Kind, BackwardEvent] = {}
    for event in events:
        new = _shown(event.grad_inputs, facts) - _shown(event.grad_outputs, facts)
        for kind in new:
            first.setdefault(kind, event)
        if len(first) == len(_BACKWARD):
            break
    for kind, found in _BACKWARD.items():
        flagged = first.get(kind)
        if flagged is not None:
            where = {"x": labels.get(flagged.node, flagged.node), "op": flagged.op}
            yield _flag(kind, "backward", flagged.node, card(found.key, **found.args, **where))
    yield from _dead_relus(events, labels)


def _shown(items: list[TensorData | None], facts: dict[int, frozenset[Kind]]) -> frozenset[Kind]:
    shown: frozenset[Kind] = frozenset()
    for data in items:
        if data is not None:
            known = facts.get(id(data))
            if known is None:
                known = facts[id(data)] = _kinds(data)
            shown |= known
    return shown


def _kinds(data: TensorData) -> frozenset[Kind]:
    kinds: set[Kind] = set()
    if _has_nan(data):
        kinds.add("nan")
    if _has_inf(data):
        kinds.add("inf")
    peak = _peak(data)
    if 0 < peak < VANISHING:
        kinds.add("vanishing")
    if peak > EXPLODING:
        kinds.add("exploding")
    return frozenset(kinds)


def _dead_relus(events: list[BackwardEvent], labels: dict[str, str]) -> Iterator[HealthFlag]:
    seen: set[str] = set()
    for event in events:
        sent = [data for data in event.grad_inputs if data is not None]
        if event.op != "ReluBackward0" or event.node in seen or not sent:
            continue
        if all(_peak(data) == 0 and not _has_nan(data) and not _has_inf(data) for data in sent):
            seen.add(event.node)
            yield _flag("dead_relu", "backward", event.node, card("health.dead_relu", x=labels[event.node]))


def _saturated(graph: GraphResponse, capture: Capture) -> Iterator[HealthFlag]:
    for node in graph.nodes:
        bounds = _BOUNDS.get(node.op or "")
        if bounds is None:  # nearly every node: no record to look up
            continue
        value = capture.values[int(node.id[1:])].value
        if value is None or value.numel() == 0 or node.uninitialised:
            continue
        near = (value.detach() - bounds[0] < SATURATED) | (bounds[1] - value.detach() < SATURATED)
        share = float(near.double().mean())
        if share > _SATURATED_SHARE:
            low, high = bounds
            found = card(
                "health.saturated",
                x=node.label,
                percent=round(share * 100),
                limit=SATURATED,
                low=low,
                high=high,
            )
            yield _flag("saturated", "forward", node.id, found)


def _flag(kind: FlagKind, phase: Literal["forward", "backward"], node: str, found: Card) -> HealthFlag:
    """A flag with its card and the card's English."""
    return HealthFlag(kind=kind, phase=phase, node=node, message=render(found), card=found)


# ------------------------------------------------------------ magnitudes for colouring


def _log10_peak(data: TensorData) -> Scalar:
    """log10 max|g|: "-Infinity" for an all-zero gradient, "NaN" with NaN, "Infinity" with Inf."""
    if _has_nan(data):
        return math.nan
    if _has_inf(data):
        return math.inf
    peak = _peak(data)
    return math.log10(peak) if peak > 0 else -math.inf

"""Which graph node each re-run leaf is: the captured parameter with the same shape and value."""

from __future__ import annotations

import torch

from app.capture.records import Capture, ValueRecord

__all__ = ["leaf_nodes"]


def leaf_nodes(capture: Capture, leaves: list[torch.Tensor]) -> list[int | None]:
    """Record index per re-run leaf (in order of first use); None where no captured parameter matches.

    The capture numbers leaves where aten first sees them and `torch.tensor(..., requires_grad=True)` where
    it is made, so orders can differ: match by value and shape first, then by shape, in order.
    """
    candidates = _parameters(capture)
    used: set[int] = set()
    found: list[int | None] = []
    for leaf in leaves:
        match = _first(candidates, used, leaf, exact=True)
        found.append(match if match is not None else _first(candidates, used, leaf, exact=False))
    return found


def _parameters(capture: Capture) -> list[ValueRecord]:
    """Trainable leaves made before the first backward pass, once per tensor."""
    seen: set[int] = set()
    records: list[ValueRecord] = []
    for record in capture.values[: _forward_count(capture)]:
        tensor = record.tensor
        if tensor is not None and tensor.requires_grad and record.grad_fn is None and id(tensor) not in seen:
            seen.add(id(tensor))
            records.append(record)
    return records


def _forward_count(capture: Capture) -> int:
    """How many value records were made before the first backward pass began (all, without one)."""
    count = 0
    for entry in capture.timeline:
        if entry.phase == "backward":
            break
        count += entry.phase == "forward"
    return count


def _same(record: ValueRecord, leaf: torch.Tensor, *, exact: bool) -> bool:
    value = record.value
    if value is None or value.shape != leaf.shape:
        return False
    return not exact or bool(torch.equal(value.detach().to(leaf.dtype), leaf))


def _first(records: list[ValueRecord], used: set[int], leaf: torch.Tensor, *, exact: bool) -> int | None:
    for record in records:
        if record.index not in used and _same(record, leaf, exact=exact):
            used.add(record.index)
            return record.index
    return None

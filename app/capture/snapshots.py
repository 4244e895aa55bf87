"""Values in time: what the capture holds by reference is copied only when something is about to change it.

Records keep tensors by reference (copying every value of a GPT-2 run would double its memory). When an op is
about to write into a storage in place (`.grad.zero_()`, an optimizer step, `w.data -= ...`, `bernoulli_` into
`empty_like`, autograd adding into `.grad`), every place that holds a view of that storage gets its own copy
first, so each node keeps the value it had when it was made: copy-on-write, paid only for what is mutated.
The same registry counts the writes per storage, which tells a record that its tensor changed since.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import torch

__all__ = ["Snapshots", "storage_of"]

Holder = tuple[Any, str | int]  # (an object and an attribute name) or (a list and an index)


def storage_of(tensor: torch.Tensor) -> int:
    """The address of the memory under a tensor and all its views (0 for tensors without storage)."""
    try:
        return int(tensor.untyped_storage().data_ptr())
    except (RuntimeError, NotImplementedError):  # sparse and other storage-less layouts
        return 0


class Snapshots:
    """Who holds which storage by reference, and how many in-place writes each storage has seen."""

    def __init__(self) -> None:
        self._holders: defaultdict[int, list[Holder]] = defaultdict(list)
        self._writes: defaultdict[int, int] = defaultdict(int)

    def hold(self, tensor: torch.Tensor | None, owner: Any, key: str | int) -> None:
        """`owner.key` (or `owner[key]`) is `tensor`, kept by reference: copy it before its memory changes."""
        if tensor is not None:
            self.hold_storage(storage_of(tensor), owner, key)

    def hold_storage(self, storage: int, owner: Any, key: str | int) -> None:
        """`hold`, for a tensor whose storage address the caller has read already."""
        if storage:
            self._holders[storage].append((owner, key))

    def writes(self, storage: int) -> int:
        return self._writes.get(storage, 0)

    def before_write(self, tensor: torch.Tensor) -> None:
        """An op is about to write into `tensor` in place: every holder of its storage gets its own copy."""
        storage = storage_of(tensor)
        if not storage:
            return
        self._writes[storage] += 1
        for owner, key in self._holders.pop(storage, ()):
            held = _get(owner, key)
            if isinstance(held, torch.Tensor) and storage_of(held) == storage:
                _set(owner, key, held.detach().clone())

    def before_rebind(self, tensor: torch.Tensor) -> None:
        """`tensor.data = ...` is about to point `tensor` at other memory: holders of the object itself keep
        the old memory through a new object over it (no copy: nothing writes into the old memory)."""
        storage = storage_of(tensor)
        kept: list[Holder] = []
        for owner, key in self._holders.get(storage, ()):
            held = _get(owner, key)
            if held is tensor:
                _set(owner, key, tensor.detach())
            kept.append((owner, key))
        if storage:
            self._holders[storage] = kept


def _get(owner: Any, key: str | int) -> Any:
    return getattr(owner, key) if isinstance(key, str) else owner[key]


def _set(owner: Any, key: str | int, value: torch.Tensor) -> None:
    if isinstance(key, str):
        setattr(owner, key, value)
    else:
        owner[key] = value

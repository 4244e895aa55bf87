"""What a program may loop over, and the iteration budget every loop, comprehension and builtin pays."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import torch
from torch import nn

from app.errors import ForbiddenOperation
from app.program.budget import Budget

__all__ = ["counted", "materialize"]

_ITERABLE = (list, tuple, range, dict, str, torch.Tensor, nn.Sequential, nn.ModuleList)


def counted(value: Any, budget: Budget) -> Iterator[Any]:
    """Iterate `value`, paying one iteration of the budget per element (before it is produced)."""
    if not isinstance(value, _ITERABLE):
        raise ForbiddenOperation(f"cannot loop over a {type(value).__name__}")
    return _paying(value, budget)


def _paying(items: Iterable[Any], budget: Budget) -> Iterator[Any]:
    iterator = iter(items)
    while True:
        budget.iterate()
        try:
            item = next(iterator)
        except StopIteration:
            return
        yield item


def materialize(value: Any, budget: Budget) -> list[Any]:
    """All elements as a list, within the iteration budget."""
    return list(counted(value, budget))

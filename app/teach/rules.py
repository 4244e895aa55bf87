"""Every op the chain-rule cards explain, by autograd node name."""

from __future__ import annotations

import logging

import torch

from app.teach.elementwise import ELEMENTWISE
from app.teach.jacobians import JACOBIANS, PASS_THROUGH
from app.teach.operands import Local, Operands, Rule
from app.teach.reductions import REDUCTIONS

__all__ = ["RULES", "local_derivatives"]

log = logging.getLogger(__name__)

RULES: dict[str, Rule] = {**ELEMENTWISE, **REDUCTIONS, **JACOBIANS, **PASS_THROUGH}


def local_derivatives(op: str, ops: Operands) -> list[Local | None]:
    """One Local per input of the autograd node; None everywhere for ops without a rule."""
    rule = RULES.get(op)
    if rule is None:
        return []
    try:
        with torch.no_grad():
            return list(rule(ops))
    except (RuntimeError, IndexError, ValueError, TypeError) as error:  # odd shapes or dtypes: no card
        log.debug("no local derivative for %s: %s", op, error)
        return []

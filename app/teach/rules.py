"""Every op the chain-rule cards explain, by autograd node name; any other op still shows its numbers."""

from __future__ import annotations

import logging

from app.teach.cards import card
from app.teach.elementwise import ELEMENTWISE
from app.teach.jacobians import JACOBIANS, PASS_THROUGH
from app.teach.operands import Local, Operands, Rule
from app.teach.reductions import REDUCTIONS

__all__ = ["RULES", "local_derivatives"]

log = logging.getLogger(__name__)

RULES: dict[str, Rule] = {**ELEMENTWISE, **REDUCTIONS, **JACOBIANS, **PASS_THROUGH}


def local_derivatives(op: str, ops: Operands, count: int) -> list[Local]:
    """One Local per input edge (`count` of them) of the autograd node `op`, in order; called under
    torch.no_grad() (once for all the steps of a response, not per step)."""
    rule = RULES.get(op)
    if rule is not None:
        try:
            return list(rule(ops))
        except (RuntimeError, IndexError, ValueError, TypeError) as error:  # odd shapes or dtypes
            log.debug("no local derivative for %s: %s", op, error)
    return _fallback(op, ops, count)


def _fallback(op: str, ops: Operands, count: int) -> list[Local]:
    """An op without a formula here still shows what it sent back along each edge."""
    return [Local(None, card("chain.other", x=ops.name(position), op=op)) for position in range(count)]

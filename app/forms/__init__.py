"""Expression and network request forms, compiled into ordinary program text that runs like any program."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.forms.code import ResolvedProgram
from app.forms.expression import expression_program
from app.forms.network import network_program

if TYPE_CHECKING:
    from app.models import GraphRequest

__all__ = ["ResolvedProgram", "resolve"]


def resolve(request: GraphRequest) -> ResolvedProgram:
    """The program a request asks to run: its own, or the one generated from its expression or network."""
    seed = request.options.seed
    if request.expression is not None:
        return expression_program(request.expression, request.variables or {}, request.target, seed)
    if request.network is not None:
        return network_program(request.network, seed)
    assert request.program is not None  # GraphRequest holds exactly one form
    return ResolvedProgram(request.program, generated=False)

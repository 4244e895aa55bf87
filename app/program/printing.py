"""How values look when printed or formatted: tensors exactly as torch prints them, nothing behind a node."""

from __future__ import annotations

import re
from typing import Any

from app.errors import ForbiddenArgument
from app.program.context import RunContext

__all__ = ["display", "format_value", "print_values"]

_MAX_SPEC = 16
_MAX_WIDTH = 100
_NUMBER = re.compile(r"\d+")


def display(value: Any, ctx: RunContext) -> str:
    """str(value), with torch's formatting ops kept out of the graph."""
    with ctx.recorder.quiet():
        return str(value)


def format_value(value: Any, conversion: int, spec: str, ctx: RunContext) -> str:
    """One f-string field: `{value!r:spec}` with a small format spec (widths capped)."""
    if len(spec) > _MAX_SPEC or any(int(n) > _MAX_WIDTH for n in _NUMBER.findall(spec)):
        raise ForbiddenArgument(f"format spec '{spec[:_MAX_SPEC]}' is too wide or too long")
    with ctx.recorder.quiet():
        if conversion == ord("r"):
            value = repr(value)
        elif conversion == ord("s"):
            value = str(value)
        return format(value, spec)


def print_values(args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> None:
    """print(*values, sep=' ', end='\\n') into the run's captured stdout."""
    sep, end = kwargs.pop("sep", " "), kwargs.pop("end", "\n")
    if kwargs or not isinstance(sep, str) or not isinstance(end, str):
        raise ForbiddenArgument("print takes values and optionally sep= and end= strings")
    ctx.write(sep.join(display(arg, ctx) for arg in args) + end)

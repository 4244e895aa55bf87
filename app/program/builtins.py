"""The Python builtins a program may call: each checks its arguments and pays the iteration budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from app.errors import ForbiddenArgument
from app.program.context import RunContext
from app.program.iteration import counted, materialize
from app.program.printing import display, print_values
from app.program.values import Builtin

__all__ = ["builtin_names"]

_FLOAT_WORDS = frozenset({"inf", "-inf", "+inf", "nan", "infinity", "-infinity"})
_MAX_NUMBER_TEXT = 32
_MAX_DIGITS = 20


def builtin_names(ctx: RunContext, add: Callable[[Any, Any], Any]) -> dict[str, Builtin]:
    """The builtins of one run; `add` is the interpreter's checked `+` (for sum)."""
    budget = ctx.budget
    table: dict[str, Callable[[list[Any], dict[str, Any]], Any]] = {
        "print": lambda args, kwargs: print_values(args, dict(kwargs), ctx),
        "range": lambda args, kwargs: range(*_ints(args, kwargs, "range")),
        "len": lambda args, kwargs: len(_one(args, kwargs, "len")),
        "abs": lambda args, kwargs: abs(_one(args, kwargs, "abs")),
        "min": lambda args, kwargs: min(_values(args, kwargs, ctx, "min")),
        "max": lambda args, kwargs: max(_values(args, kwargs, ctx, "max")),
        "sum": lambda args, kwargs: _sum(args, kwargs, ctx, add),
        "zip": lambda args, kwargs: _zip(args, kwargs, ctx),
        "enumerate": lambda args, kwargs: _enumerate(args, kwargs, ctx),
        "list": lambda args, kwargs: materialize(_one(args, kwargs, "list"), budget) if args else [],
        "tuple": lambda args, kwargs: tuple(materialize(_one(args, kwargs, "tuple"), budget)) if args else (),
        "dict": lambda args, kwargs: _dict(args, kwargs, ctx),
        "str": lambda args, kwargs: display(_one(args, kwargs, "str"), ctx) if args else "",
        "bool": lambda args, kwargs: bool(_one(args, kwargs, "bool")) if args else False,
        "int": lambda args, kwargs: budget.integer(_int(_one(args, kwargs, "int"))) if args else 0,
        "float": lambda args, kwargs: _float(_one(args, kwargs, "float")) if args else 0.0,
        "round": lambda args, kwargs: round(*_numbers(args, kwargs, "round")),
    }
    return {name: Builtin(name, fn) for name, fn in table.items()}


def _one(args: list[Any], kwargs: dict[str, Any], name: str) -> Any:
    if kwargs or len(args) != 1:
        raise ForbiddenArgument(f"{name}() takes exactly one argument")
    return args[0]


def _numbers(args: list[Any], kwargs: dict[str, Any], name: str) -> list[Any]:
    """round(x, digits): `digits` is a small int (round(5, -10**9) would compute 10**(10**9))."""
    shapes_ok = not kwargs and 1 <= len(args) <= 2 and isinstance(args[0], int | float | torch.Tensor)
    digits = args[1] if len(args) == 2 else 0
    if not shapes_ok or not isinstance(digits, int) or abs(digits) > _MAX_DIGITS:
        raise ForbiddenArgument(f"{name}() takes a number and optionally up to {_MAX_DIGITS} digits")
    return args


def _ints(args: list[Any], kwargs: dict[str, Any], name: str) -> list[int]:
    if kwargs or not 1 <= len(args) <= 3 or not all(isinstance(a, int) for a in args):
        raise ForbiddenArgument(f"{name}() takes one to three integers")
    return args


def _zip(args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> list[tuple[Any, ...]]:
    """zip(a, b, ...): each argument is iterated lazily, so zip(range(10**9), xs) costs only len(xs)."""
    if kwargs or not args:
        raise ForbiddenArgument("zip() takes one or more lists and no keywords")
    iterators = [counted(arg, ctx.budget) for arg in args]
    return list(zip(*iterators, strict=False))


def _enumerate(args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> list[tuple[int, Any]]:
    start = kwargs.pop("start", 0)
    if kwargs or len(args) != 1 or not isinstance(start, int):
        raise ForbiddenArgument("enumerate() takes one list and optionally start=")
    return list(enumerate(materialize(args[0], ctx.budget), start=start))


def _values(args: list[Any], kwargs: dict[str, Any], ctx: RunContext, name: str) -> list[Any]:
    """min/max over several arguments or over one iterable."""
    if kwargs or not args:
        raise ForbiddenArgument(f"{name}() takes values or one list, no keywords")
    return materialize(args[0], ctx.budget) if len(args) == 1 else args


def _sum(args: list[Any], kwargs: dict[str, Any], ctx: RunContext, add: Callable[[Any, Any], Any]) -> Any:
    if kwargs or not 1 <= len(args) <= 2:
        raise ForbiddenArgument("sum() takes a list and optionally a start value")
    total = args[1] if len(args) == 2 else 0
    for item in counted(args[0], ctx.budget):
        total = add(total, item)
    return total


def _dict(args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> dict[Any, Any]:
    """dict(a=1, b=2) or dict(list_of_pairs)."""
    pairs = materialize(args[0], ctx.budget) if len(args) == 1 else []
    if len(args) > 1 or not all(isinstance(p, tuple | list) and len(p) == 2 for p in pairs):
        raise ForbiddenArgument("dict() takes keywords or one list of (key, value) pairs")
    return {**dict(pairs), **kwargs}


def _int(value: Any) -> int:
    if isinstance(value, str) and len(value) > _MAX_NUMBER_TEXT:
        raise ForbiddenArgument("int() of a string is limited to 32 characters")
    if not isinstance(value, bool | int | float | str | torch.Tensor):
        raise ForbiddenArgument(f"int() of a {type(value).__name__} is not supported")
    return int(value)


def _float(value: Any) -> float:
    """float(x) for numbers, tensors and numeric strings such as "-inf"."""
    if isinstance(value, str):
        if len(value) > _MAX_NUMBER_TEXT and value.strip().lower() not in _FLOAT_WORDS:
            raise ForbiddenArgument("float() of a string is limited to 32 characters")
        return float(value)
    if not isinstance(value, bool | int | float | torch.Tensor):
        raise ForbiddenArgument(f"float() of a {type(value).__name__} is not supported")
    return float(value)

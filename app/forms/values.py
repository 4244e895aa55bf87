"""Small helpers on JSON values: the shape of nested lists, their program-text literal, located errors."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = ["INT64_MAX", "field_error", "is_integral", "largest", "literal", "nested_shape", "out_of_int64"]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def field_error(model: str, loc: tuple[str | int, ...], message: str, value: Any) -> ValidationError:
    """A validation error at a precise location, raised from a model validator (pydantic nests the loc).

    The message leaves the location out: the API's 422 message puts it in front (`network.layers.2.in: ...`).
    """
    detail = InitErrorDetails(type=PydanticCustomError("invalid_form", message), loc=loc, input=value)
    return ValidationError.from_exception_data(model, [detail])


def nested_shape(value: Any, path: str = "value") -> list[int]:
    """The shape of a rectangular nested list; ValueError naming the ragged spot otherwise."""
    if not isinstance(value, list):
        return []
    if not value:
        return [0]
    shapes = [nested_shape(item, f"{path}[{index}]") for index, item in enumerate(value)]
    for index, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise ValueError(f"{path}[{index}] has shape {shape}, but {path}[0] has shape {shapes[0]}")
    return [len(value), *shapes[0]]


def out_of_int64(value: Any, path: str = "value") -> str | None:
    """Where the first int beyond int64's range sits in a number or nested list (`value[2][0]`), or None."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = out_of_int64(item, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        return path
    return None


def is_integral(value: Any) -> bool:
    """Whether every number in a nested list is an int (class indices, embedding ids)."""
    if isinstance(value, list):
        return all(is_integral(item) for item in value)
    return isinstance(value, int)


def largest(value: Any) -> float:
    """The largest number in a nested list (-inf when empty)."""
    if isinstance(value, list):
        return max((largest(item) for item in value), default=float("-inf"))
    return float(value)


def literal(value: Any, *, as_float: bool) -> str:
    """Program text for a number or nested list; `as_float` writes 1 as 1.0 so torch makes a float tensor."""
    if isinstance(value, list):
        return "[" + ", ".join(literal(item, as_float=as_float) for item in value) + "]"
    return repr(float(value)) if as_float else repr(value)

"""Helpers on JSON values: shapes of nested lists, their literals, integer checks, located errors."""

from __future__ import annotations

import pytest

from app.forms.values import field_error, is_integral, largest, literal, nested_shape


@pytest.mark.parametrize(
    ("value", "shape"),
    [(1.5, []), ([], [0]), ([1, 2, 3], [3]), ([[1, 2], [3, 4], [5, 6]], [3, 2]), ([[[]]], [1, 1, 0])],
)
def test_nested_shape(value: object, shape: list[int]) -> None:
    assert nested_shape(value) == shape


def test_ragged_list_names_the_odd_row() -> None:
    with pytest.raises(
        ValueError, match=r"^value\[1\]\[0\] has shape \[2\], but value\[1\]\[0\]|^value\[1\]"
    ):
        nested_shape([[[1]], [[1, 2]]])
    with pytest.raises(ValueError) as caught:
        nested_shape([[1, 2], [3]])
    assert str(caught.value) == "value[1] has shape [1], but value[0] has shape [2]"


def test_literal_writes_floats_or_values_as_given() -> None:
    assert literal([[1, 2.5], [-3, 0]], as_float=True) == "[[1.0, 2.5], [-3.0, 0.0]]"
    assert literal([[1, 2.5]], as_float=False) == "[[1, 2.5]]"
    assert literal(1e-7, as_float=True) == "1e-07"


def test_integral_and_largest() -> None:
    assert is_integral([[1, 2], [3, 4]]) and not is_integral([1, 2.0])
    assert largest([[1, 7], [3, -2]]) == 7.0
    assert largest([]) == float("-inf")


def test_field_error_carries_its_location() -> None:
    error = field_error("NetworkSpec", ("layers", 2, "in"), "layers[2].in: 7 does not match", 7)
    assert [(item["loc"], item["msg"], item["input"]) for item in error.errors()] == [
        (("layers", 2, "in"), "layers[2].in: 7 does not match", 7)
    ]

"""Request validation of the expression form: every error names its field (the `loc`) and says why."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from app.forms.models import InitSpec, TensorSpec
from app.models import GraphRequest


def first_error(payload: dict[str, Any]) -> tuple[tuple[str | int, ...], str]:
    with pytest.raises(ValidationError) as caught:
        GraphRequest.model_validate(payload)
    error = caught.value.errors()[0]
    return error["loc"], error["msg"]


@pytest.mark.parametrize(
    ("variables", "loc", "message"),
    [
        ({"exp": 1.0}, ("variables", "exp", "[key]"), "'exp' is the name of a function (torch.exp)"),
        ({"torch": 1.0}, ("variables", "torch", "[key]"), "'torch' is the name of a module"),
        ({"_x": 1.0}, ("variables", "_x", "[key]"), "'_x' begins with '_', which programs may not use"),
        ({"for": 1.0}, ("variables", "for", "[key]"), "'for' is not a valid Python name"),
        ({"x": [[1.0], [2.0, 3.0]]}, ("variables", "x", "list"), "value[1] has shape [2], but value[0]"),
        ({"x": {"value": [1, [2]]}}, ("variables", "x", "tensor", "value"), "value[1] has shape [1]"),
        (
            {"x": {"value": [1], "requires_grad": True, "dtype": "int64"}},
            ("variables", "x", "tensor", "requires_grad"),
            "requires_grad needs a floating dtype",
        ),
        (
            {"x": {"shape": [2], "init": "randn", "dtype": "int64"}},
            ("variables", "x", "init", "dtype"),
            "init randn needs a floating dtype",
        ),
        ({"x": {"shape": [2], "init": "eye"}}, ("variables", "x", "init", "init"), "'randn', 'zeros'"),
        ({"x": {"shape": [-1]}}, ("variables", "x", "init", "shape", 0), "greater than or equal to 0"),
        ({"x": {"value": 1.0, "shape": [2]}}, ("variables", "x", "init", "value"), "Extra inputs"),
        ({"x": True}, ("variables", "x", "number", "int"), "valid integer"),
    ],
)
def test_bad_variable_names_its_field(variables: dict[str, Any], loc: tuple[Any, ...], message: str) -> None:
    found_loc, found_message = first_error({"expression": "x", "variables": variables})
    assert found_loc == loc
    assert message in found_message


@pytest.mark.parametrize(
    ("target", "loc", "message"),
    [
        ({"y": 1.0, "loss": "hinge"}, ("target", "loss"), "'bce', 'bce_with_logits', 'mse'"),
        ({"y": 1.0, "value": 2.0}, ("target", "y"), "Extra inputs"),
        ({"loss": "bce"}, ("target", "value"), "Field required"),
        ({"y": [[1.0], []]}, ("target", "y"), "value[1] has shape [0], but value[0] has shape [1]"),
    ],
)
def test_bad_target_names_its_field(target: dict[str, Any], loc: tuple[Any, ...], message: str) -> None:
    found_loc, found_message = first_error({"expression": "x", "target": target})
    assert found_loc == loc
    assert message in found_message


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "give exactly one of program, expression, network (got 0)"),
        ({"program": "x = 1", "expression": "x"}, "give exactly one of program, expression, network (got 2)"),
        ({"program": "x = 1", "variables": {"x": 1.0}}, "variables and target go with an expression"),
    ],
)
def test_request_needs_exactly_one_form(payload: dict[str, Any], message: str) -> None:
    assert first_error(payload) == ((), f"Value error, {message}")


def test_variables_take_each_form() -> None:
    request = GraphRequest.model_validate(
        {
            "expression": "w * x",
            "variables": {
                "x": 1,
                "m": [[1, 2], [3, 4.5]],
                "w": {"value": 2.2, "requires_grad": True},
                "z": {"shape": [3, 4], "init": "arange", "dtype": "float64"},
            },
            "target": {"y": 1.0, "loss": "bce"},
        }
    )
    assert request.variables == {
        "x": 1,
        "m": [[1, 2], [3, 4.5]],
        "w": TensorSpec(value=2.2, requires_grad=True),
        "z": InitSpec(shape=[3, 4], init="arange", dtype="float64"),
    }
    assert request.target is not None and (request.target.value, request.target.loss) == (1.0, "bce")


def test_schema_shows_the_three_forms() -> None:
    schema = GraphRequest.model_json_schema()
    assert schema["$defs"]["NestedNumbers"]["anyOf"][0] == {
        "type": "integer"
    }  # apart from the response's Nested
    examples = schema["examples"]
    assert [sorted(set(example) & {"program", "expression", "network"}) for example in examples] == [
        ["program"],
        ["expression"],
        ["network"],
    ]
    for example in examples:
        GraphRequest.model_validate(example)

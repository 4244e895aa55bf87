"""Network spec validation: each error names the layer's index and field, and what it should have matched."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from app.models import GraphRequest

LINEAR_10_5 = {"type": "Linear", "in": 10, "out": 5}


def network_error(**network: Any) -> tuple[tuple[str | int, ...], str]:
    network.setdefault("input", {"shape": [1, 10]})
    with pytest.raises(ValidationError) as caught:
        GraphRequest.model_validate({"network": network})
    error = caught.value.errors()[0]
    return error["loc"], error["msg"]


@pytest.mark.parametrize(
    ("layers", "loc", "message"),
    [
        (
            [LINEAR_10_5, {"type": "ReLU"}, {"type": "Linear", "in": 7, "out": 1}],
            ("network", "layers", 2, "in"),
            "layers[2].in: 7 does not match layers[0].out = 5",
        ),
        (
            [{"type": "Linear", "in": 8, "out": 5}],
            ("network", "layers", 0, "in"),
            "layers[0].in: 8 does not match input.shape[-1] = 10",
        ),
        (
            [LINEAR_10_5, {"type": "LayerNorm", "normalized_shape": 10}],
            ("network", "layers", 1, "normalized_shape"),
            "layers[1].normalized_shape: 10 does not match layers[0].out = 5",
        ),
        (
            [LINEAR_10_5, {"type": "Embedding", "num_embeddings": 5, "embedding_dim": 3}],
            ("network", "layers", 1, "type"),
            "layers[1].type: Embedding takes integer ids, so it must be the first layer",
        ),
        (
            [LINEAR_10_5, {"type": "Conv2d"}],
            ("network", "layers", 1),
            "Input tag 'Conv2d' found using 'type'",
        ),
        ([{"type": "Linear", "in": 10}], ("network", "layers", 0, "Linear", "out"), "Field required"),
        ([{"type": "Dropout", "p": 1.0}], ("network", "layers", 0, "Dropout", "p"), "less than 1"),
        ([{"type": "Linear", "in": 0, "out": 1}], ("network", "layers", 0, "Linear", "in"), "greater than 0"),
        ([], ("network", "layers"), "at least 1 item"),
    ],
)
def test_bad_layer_names_index_and_field(
    layers: list[dict[str, Any]], loc: tuple[Any, ...], message: str
) -> None:
    found_loc, found_message = network_error(layers=layers)
    assert found_loc == loc
    assert message in found_message


@pytest.mark.parametrize(
    ("network", "loc", "message"),
    [
        (
            {"input": {"shape": [1, 3]}},
            ("network", "input"),
            "input: Embedding (layers[0]) needs integer ids",
        ),
        (
            {"input": {"value": [[1, 4]]}},
            ("network", "input"),
            "input: id 4 is not below layers[0].num_embeddings = 4",
        ),
        (
            {"input": {"shape": [2, 3], "init": "arange", "dtype": "int64"}},
            ("network", "input"),
            "input: id 5 is not below layers[0].num_embeddings = 4",
        ),
        ({"input": [[0, 1]], "loss": "mse"}, ("network", "target"), "target: loss 'mse' needs a target"),
        (
            {"input": [[0, 1]], "optimizer": {"steps": 65}},
            ("network", "optimizer", "steps"),
            "less than or equal",
        ),
        (
            {"input": [[0, 1]], "optimizer": {"type": "LBFGS"}},
            ("network", "optimizer", "type"),
            "'SGD' or 'Adam'",
        ),
    ],
)
def test_bad_network_field_is_named(network: dict[str, Any], loc: tuple[Any, ...], message: str) -> None:
    layers = [{"type": "Embedding", "num_embeddings": 4, "embedding_dim": 2}]
    found_loc, found_message = network_error(layers=layers, **network)
    assert found_loc == loc
    assert message in found_message


def test_widths_chain_through_shape_keeping_layers() -> None:
    layers = [
        {"type": "Embedding", "num_embeddings": 4, "embedding_dim": 6},
        {"type": "LayerNorm", "normalized_shape": 6},
        {"type": "GELU"},
        {"type": "Dropout", "p": 0.1},
        {"type": "Linear", "in": 6, "out": 2},
        {"type": "Softmax", "dim": -1},
    ]
    request = GraphRequest.model_validate({"network": {"layers": layers, "input": [[0, 3]]}})
    assert request.network is not None
    assert [layer.type for layer in request.network.layers] == [
        "Embedding",
        "LayerNorm",
        "GELU",
        "Dropout",
        "Linear",
        "Softmax",
    ]

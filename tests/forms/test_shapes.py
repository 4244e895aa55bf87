"""Network spec validation: each 422 message names the layer's index and field, and what it should match.

Messages are checked as the API words them (`app.api.errors.validation_message`: location, then reason).
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from app.api.errors import validation_message
from app.models import GraphRequest

LINEAR_10_5 = {"type": "Linear", "in": 10, "out": 5}


def network_error(**network: Any) -> str:
    network.setdefault("input", {"shape": [1, 10]})
    with pytest.raises(ValidationError) as caught:
        GraphRequest.model_validate({"network": network})
    return validation_message(caught.value.errors())


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        (
            [LINEAR_10_5, {"type": "ReLU"}, {"type": "Linear", "in": 7, "out": 1}],
            "network.layers.2.in: 7 does not match layers[0].out = 5",
        ),
        (
            [{"type": "Linear", "in": 8, "out": 5}],
            "network.layers.0.in: 8 does not match input.shape[-1] = 10",
        ),
        (
            [LINEAR_10_5, {"type": "LayerNorm", "normalized_shape": 10}],
            "network.layers.1.normalized_shape: 10 does not match layers[0].out = 5",
        ),
        (
            [LINEAR_10_5, {"type": "Embedding", "num_embeddings": 5, "embedding_dim": 3}],
            "network.layers.1.type: Embedding takes integer ids, so it must be the first layer",
        ),
        (
            [LINEAR_10_5, {"type": "Conv2d"}],
            "network.layers.1: Input tag 'Conv2d' found using 'type' does not match any of the expected",
        ),
        ([{"type": "Linear", "in": 10}], "network.layers.0.Linear.out: Field required"),
        ([{"type": "Dropout", "p": 1.0}], "network.layers.0.Dropout.p: Input should be less than 1"),
        (
            [{"type": "Linear", "in": 0, "out": 1}],
            "network.layers.0.Linear.in: Input should be greater than 0",
        ),
        ([], "network.layers: List should have at least 1 item after validation, not 0"),
    ],
)
def test_bad_layer_names_index_and_field(layers: list[dict[str, Any]], message: str) -> None:
    assert network_error(layers=layers).startswith(message)


@pytest.mark.parametrize(
    ("network", "message"),
    [
        ({"input": {"shape": [1, 3]}}, "network.input: Embedding (layers[0]) needs integer ids"),
        ({"input": {"value": [[1, 4]]}}, "network.input: id 4 is not below layers[0].num_embeddings = 4"),
        (
            {"input": {"shape": [2, 3], "init": "arange", "dtype": "int64"}},
            "network.input: id 5 is not below layers[0].num_embeddings = 4",
        ),
        ({"input": [[0, 1]], "loss": "mse"}, "network.target: loss 'mse' needs a target"),
        (
            {"input": [[0, 1]], "optimizer": {"steps": 1_001}},
            "network.optimizer.steps: Input should be less than or equal to 1000",
        ),
        (
            {"input": [[0, 1]], "optimizer": {"type": "LBFGS"}},
            "network.optimizer.type: Input should be 'SGD' or 'Adam'",
        ),
    ],
)
def test_bad_network_field_is_named(network: dict[str, Any], message: str) -> None:
    layers = [{"type": "Embedding", "num_embeddings": 4, "embedding_dim": 2}]
    assert network_error(layers=layers, **network) == message


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

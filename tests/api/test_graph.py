"""POST /graph end to end against a real uvicorn: the logistic neuron's values and gradients, layout, gzip."""

from __future__ import annotations

import gzip
import json
import math
from typing import TYPE_CHECKING, Any

import pytest
import torch
from graphs import data, grad, node
from tolerance import assert_within_rounding

if TYPE_CHECKING:
    from conftest import LiveServer

X, Y, W, B = 1.1, 1.0, 2.2, 0.0


def oracle() -> dict[str, float]:
    """The logistic neuron by hand: a = sigmoid(x*w + b), loss = BCE(a, y)."""
    a = 1 / (1 + math.exp(-(X * W + B)))
    dz = a - Y  # dL/dz for sigmoid followed by BCE
    return {"loss": -(Y * math.log(a) + (1 - Y) * math.log(1 - a)), "a": a, "w": dz * X, "b": dz}


@pytest.fixture(scope="module")
def neuron_graph(server: LiveServer, logistic_neuron: str) -> dict[str, Any]:
    with server.client() as client:
        response = client.post("/graph", json={"program": logistic_neuron})
    assert response.status_code == 200, response.text
    graph: dict[str, Any] = response.json()
    return graph


def test_gradients_match_the_hand_computed_oracle(neuron_graph: dict[str, Any]) -> None:
    """float32 in the child against float64 by hand: a chain of six ops (mul, add, sigmoid, the BCE's log,
    then a - y and its product with x), on operands no bigger than z = x * w."""
    expected = oracle()
    served = [grad(neuron_graph, "w"), grad(neuron_graph, "b"), data(neuron_graph, "loss")]
    served.append(data(neuron_graph, "a"))
    wanted = [expected["w"], expected["b"], expected["loss"], expected["a"]]
    assert_within_rounding(served, wanted, dtype=torch.float32, terms=6, scale=X * W)


def test_design_figures_hold(neuron_graph: dict[str, Any]) -> None:
    assert round(grad(neuron_graph, "w"), 4) == -0.0898
    assert round(grad(neuron_graph, "b"), 4) == -0.0817
    assert round(data(neuron_graph, "loss"), 4) == 0.0852


def test_response_carries_nodes_timelines_and_layout(neuron_graph: dict[str, Any]) -> None:
    assert {"x", "y", "w", "h", "span", "group", "op", "shape", "dtype"} <= set(neuron_graph["nodes"][0])
    assert node(neuron_graph, "a")["op"] == "SigmoidBackward0"
    assert len(neuron_graph["forward"]) > 0 and len(neuron_graph["backward"]) > 0
    assert all(n["w"] > 0 and n["h"] > 0 for n in neuron_graph["nodes"])
    assert neuron_graph["width"] > 0 and neuron_graph["height"] > 0
    assert "layout" in neuron_graph["timings"]


def test_layout_off_sends_the_worker_graph_unplaced(server: LiveServer, logistic_neuron: str) -> None:
    with server.client() as client:
        graph = client.post("/graph", json={"program": logistic_neuron, "options": {"layout": False}}).json()
    assert all(n["w"] == 0 and n["x"] == 0 for n in graph["nodes"])
    assert round(grad(graph, "w"), 4) == -0.0898


def placed_nodes(graph: dict[str, Any]) -> list[tuple[str, str, float, float]]:
    return [(n["id"], n["label"], n["x"], n["y"]) for n in graph["nodes"]]


def test_same_request_gives_the_same_graph(
    server: LiveServer, logistic_neuron: str, neuron_graph: dict[str, Any]
) -> None:
    with server.client() as client:
        again = client.post("/graph", json={"program": logistic_neuron}).json()
    assert placed_nodes(again) == placed_nodes(neuron_graph)


def test_large_responses_are_gzipped_at_the_default_level(server: LiveServer, logistic_neuron: str) -> None:
    with server.client() as client:
        body = {"program": logistic_neuron}
        with client.stream("POST", "/graph", json=body, headers={"accept-encoding": "gzip"}) as response:
            raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(raw))["nodes"]
    assert raw[8] == 0  # gzip's XFL byte: 2 would be level 9, whose extra 2 % cost GPT-2's graph 80 ms more


def test_layout_relays_a_graph_with_a_group_collapsed(server: LiveServer) -> None:
    program = (
        "import torch\nimport torch.nn as nn\n"
        "net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))\n"
        "loss = net(torch.ones(2, 3)).sum()\nloss.backward()\n"
    )
    with server.client() as client:
        graph = client.post("/graph", json={"program": program}).json()
        assert graph["groups"], graph
        first = graph["groups"][0]["id"]
        body = {k: graph[k] for k in ("nodes", "edges", "groups")} | {"collapsed": [first]}
        relaid = client.post("/layout", json=body)
    assert relaid.status_code == 200, relaid.text
    groups = {g["id"]: g for g in relaid.json()["groups"]}
    assert groups[first]["collapsed"] is True
    assert [n["id"] for n in relaid.json()["nodes"]] == [n["id"] for n in graph["nodes"]]

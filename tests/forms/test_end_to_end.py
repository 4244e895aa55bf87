"""The generated programs through the real pipeline (app.runner.run): the gradients the issue promises."""

from __future__ import annotations

from typing import Any

import pytest

from app.forms import resolve
from app.forms.models import REQUEST_EXAMPLES
from app.limits import Limits
from app.models import GraphOptions, GraphRequest, GraphResponse, Node
from app.runner import run
from app.settings import Settings
from tests.forms.plain import run_plain, torch

SETTINGS = Settings()


def run_program(program: str, seed: int = 0) -> GraphResponse:
    options = GraphOptions(device="cpu", seed=seed)
    return run(
        program, options, Limits(), max_chars=SETTINGS.max_program_chars, max_lines=SETTINGS.max_program_lines
    )


def run_request(payload: Any) -> GraphResponse:
    """What POST /graph does with a request: resolve its form, run the program, annotate the response."""
    request = GraphRequest.model_validate(payload)
    resolved = resolve(request)
    return resolved.annotate(run_program(resolved.program, request.options.seed))


def node(graph: GraphResponse, label: str) -> Node:
    (found,) = [item for item in graph.nodes if item.label == label]
    return found


def grad(graph: GraphResponse, label: str) -> Any:
    data = node(graph, label).grad
    assert data is not None, label
    return data.values


def test_logistic_neuron_expression() -> None:
    graph = run_request(REQUEST_EXAMPLES[1])
    assert graph.outputs["loss"] == pytest.approx(0.0852, abs=5e-5)
    assert grad(graph, "w") == pytest.approx(-0.0898, abs=5e-5)
    assert grad(graph, "b") == pytest.approx(-0.0817, abs=5e-5)
    assert node(graph, "out").op == "SigmoidBackward0"
    assert graph.program is not None and "out = torch.sigmoid(w * x + b)\n" in graph.program


def test_free_names_become_leaves_with_gradients() -> None:
    graph = run_request({"expression": "a * b + c"})
    assert graph.notes == ["free names: a, b, c (scalar leaves, random values, requires_grad)"]
    values = {label: node(graph, label).data for label in "abc"}
    assert {label: data.values for label, data in values.items() if data} == pytest.approx(
        {"a": 0.6888, "b": 0.5159, "c": -0.1589}
    )
    assert grad(graph, "a") == pytest.approx(0.5159)
    assert grad(graph, "b") == pytest.approx(0.6888)
    assert grad(graph, "c") == 1.0


HAND_WRITTEN_NET = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1), nn.Sigmoid())
x = torch.randn(1, 10)
loss = F.binary_cross_entropy(model(x), torch.tensor([[1.0]]))
loss.backward()
"""

PARAMETERS = ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_network_spec_matches_the_hand_written_program() -> None:
    network = {**REQUEST_EXAMPLES[2]["network"], "optimizer": None}  # type: ignore[call-overload,index]
    generated = run_request({"network": network, "options": {"seed": 5}})
    written = run_program(HAND_WRITTEN_NET, seed=5)
    assert generated.outputs["loss"] == written.outputs["loss"]
    for label in PARAMETERS:
        assert grad(generated, label) == grad(written, label), label
    assert len(grad(generated, "0.weight")) == 5


@pytest.mark.parametrize(
    "payload",
    [REQUEST_EXAMPLES[1], REQUEST_EXAMPLES[2]],
    ids=["expression", "network"],
)
def test_generated_program_runs_unchanged_as_a_program(payload: Any) -> None:
    generated = run_request(payload)
    assert generated.program is not None
    again = run_request({"program": generated.program})
    assert again.program is None and again.notes == []
    assert [(item.label, item.grad) for item in again.nodes] == [
        (item.label, item.grad) for item in generated.nodes
    ]


def test_every_layer_type_matches_plain_torch() -> None:
    layers = [
        {"type": "Embedding", "num_embeddings": 6, "embedding_dim": 4},
        {"type": "LayerNorm", "normalized_shape": 4},
        {"type": "GELU"},
        {"type": "Dropout", "p": 0.25},
        {"type": "Linear", "in": 4, "out": 3},
        {"type": "Tanh"},
        {"type": "Linear", "in": 3, "out": 3, "bias": False},
        {"type": "Softmax"},
    ]
    network = {
        "layers": layers,
        "input": {"value": [[0, 5, 2]]},
        "target": [[1, 2, 0]],
        "loss": "cross_entropy",
    }
    graph = run_request({"network": network, "options": {"seed": 2}})
    ran = run_plain(graph.program or "", seed=2)
    assert graph.outputs["loss"] == pytest.approx(ran["loss"].item(), abs=1e-6)
    for name, parameter in ran["model"].named_parameters():
        torch.testing.assert_close(torch.tensor(grad(graph, name)), parameter.grad, msg=name)

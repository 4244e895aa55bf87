"""Network form: the nn.Sequential program generated for a layer list, checked as text and against torch."""

from __future__ import annotations

from typing import Any

import pytest

from app.forms import resolve
from app.forms.models import REQUEST_EXAMPLES, NetworkSpec
from app.forms.network import layer_code, network_program
from app.models import GraphRequest
from tests.forms.plain import run_plain, torch

# The 10-5-1 network spec, which /docs shows as the network example.
SIMPLE_NET: dict[str, Any] = REQUEST_EXAMPLES[2]["network"]

SIMPLE_NET_PROGRAM = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)
model = nn.Sequential(
    nn.Linear(10, 5),
    nn.ReLU(),
    nn.Linear(5, 1),
    nn.Sigmoid(),
)
x = torch.randn(1, 10)
y = torch.tensor([[1.0]])
optimizer = optim.SGD(model.parameters(), lr=0.01)

optimizer.zero_grad()
out = model(x)
loss = F.binary_cross_entropy(out, y)
loss.backward()
optimizer.step()
"""


def spec(**changes: Any) -> NetworkSpec:
    return NetworkSpec.model_validate({**SIMPLE_NET, **changes})


def test_simple_net_program() -> None:
    resolved = resolve(GraphRequest.model_validate({"network": SIMPLE_NET}))
    assert resolved.program == SIMPLE_NET_PROGRAM
    assert resolved.notes == ()


def test_several_steps_loop() -> None:
    program = network_program(spec(optimizer={"type": "Adam", "lr": 0.001, "steps": 3}), seed=4).program
    assert "torch.manual_seed(4)\n" in program
    assert program.endswith(
        "optimizer = optim.Adam(model.parameters(), lr=0.001)\n"
        "\n"
        "for step in range(3):\n"
        "    optimizer.zero_grad()\n"
        "    out = model(x)\n"
        "    loss = F.binary_cross_entropy(out, y)\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
    )


def test_without_target_backward_runs_from_the_sum() -> None:
    resolved = network_program(spec(target=None, loss=None, optimizer=None), seed=0)
    assert resolved.program.endswith("x = torch.randn(1, 10)\n\nout = model(x)\nout.sum().backward()\n")
    assert "import torch.nn.functional" not in resolved.program
    assert "optim" not in resolved.program
    assert resolved.notes == ("no target: backward runs from out.sum()",)


def test_target_without_loss_uses_mse() -> None:
    resolved = network_program(spec(loss=None, optimizer=None), seed=0)
    assert resolved.program.endswith("loss = F.mse_loss(out, y)\nloss.backward()\n")
    assert resolved.notes == ("no loss given: mse",)


def test_embedding_ids_and_class_indices_stay_integer() -> None:
    layers = [
        {"type": "Embedding", "num_embeddings": 4, "embedding_dim": 3},
        {"type": "Linear", "in": 3, "out": 2},
    ]
    program = network_program(
        spec(layers=layers, input=[[0, 3]], target=[[1, 0]], loss="cross_entropy", optimizer=None), seed=0
    ).program
    assert "x = torch.tensor([[0, 3]])\ny = torch.tensor([[1, 0]])\n" in program


@pytest.mark.parametrize(
    ("layer", "code"),
    [
        ({"type": "Linear", "in": 3, "out": 2}, "nn.Linear(3, 2)"),
        ({"type": "Linear", "in": 3, "out": 2, "bias": False}, "nn.Linear(3, 2, bias=False)"),
        ({"type": "GELU"}, "nn.GELU()"),
        ({"type": "Tanh"}, "nn.Tanh()"),
        ({"type": "Softmax"}, "nn.Softmax(dim=-1)"),
        ({"type": "Dropout", "p": 0.25}, "nn.Dropout(p=0.25)"),
        ({"type": "LayerNorm", "normalized_shape": 3}, "nn.LayerNorm(3)"),
        ({"type": "Embedding", "num_embeddings": 9, "embedding_dim": 3}, "nn.Embedding(9, 3)"),
    ],
)
def test_layer_code(layer: dict[str, Any], code: str) -> None:
    assert layer_code(spec(layers=[layer], input=[[1, 2, 3]], target=None, loss=None).layers[0]) == code


HAND_WRITTEN = """\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1), nn.Sigmoid())
x = torch.randn(1, 10)
loss = nn.functional.binary_cross_entropy(model(x), torch.tensor([[1.0]]))
loss.backward()
"""


def test_simple_net_matches_the_hand_written_program_in_torch() -> None:
    generated = run_plain(network_program(spec(optimizer=None), seed=0).program)
    written = run_plain(HAND_WRITTEN)
    assert generated["loss"].item() == pytest.approx(written["loss"].item(), abs=0)
    for (name, mine), (_, theirs) in zip(
        generated["model"].named_parameters(), written["model"].named_parameters(), strict=True
    ):
        assert mine.grad is not None and theirs.grad is not None
        assert torch.equal(mine.grad, theirs.grad), name
    assert [name for name, _ in generated["model"].named_parameters()] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]


HAND_WRITTEN_TRAINING = """\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1), nn.Sigmoid())
x = torch.randn(1, 10)
optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
for _ in range(3):
    optimizer.zero_grad()
    nn.functional.binary_cross_entropy(model(x), torch.tensor([[1.0]])).backward()
    optimizer.step()
"""


def test_training_loop_matches_the_hand_written_one_in_torch() -> None:
    generated = run_plain(
        network_program(spec(optimizer={"type": "Adam", "lr": 0.1, "steps": 3}), seed=0).program
    )
    written = run_plain(HAND_WRITTEN_TRAINING)
    for mine, theirs in zip(generated["model"].parameters(), written["model"].parameters(), strict=True):
        assert torch.equal(mine, theirs)
    assert not torch.equal(generated["model"][0].bias, run_plain(SIMPLE_NET_PROGRAM)["model"][0].bias)

"""The constructs tutorials use, each checked against plain torch running the same computation."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn

Interpret = Callable[..., Any]  # the `interpret` fixture (conftest.py): source -> Run

CORPUS = Path(__file__).parents[1] / "programs"
LOGISTIC = (CORPUS / "logistic_neuron.py").read_text() + 'print(f"Gradient function for z = {z.grad_fn}")\n'


def test_logistic_neuron_prints_like_torch(interpret: Interpret) -> None:
    run = interpret(LOGISTIC)
    assert run.stdout.splitlines() == [
        "Gradient w.r.t w: tensor([-0.0898])",
        "Gradient w.r.t b: tensor([-0.0817])",
        "Gradient function for z = <AddBackward0 object>",
    ]
    assert run.vars["b"].grad.item() == pytest.approx(-0.0817, abs=1e-4)
    assert run.vars["loss"].item() == pytest.approx(0.0852, abs=1e-4)


def test_logistic_neuron_reports_names_and_spans(interpret: Interpret) -> None:
    run = interpret(LOGISTIC)
    assert [name for name, _ in run.recorder.names] == ["x", "y", "w", "b", "z", "a", "loss"]
    assert (9, 0, 9, 13) in run.recorder.spans  # z = x * w + b
    assert run.recorder.names[4][1] is run.vars["z"]


def test_tensor_basics(interpret: Interpret) -> None:
    run = interpret(
        "import torch\n"
        "s = torch.tensor(1)  # a scalar\n"
        "m = torch.tensor([[1, 2],\n"
        "                  [3, 4]])\n"
        "f = m.to(torch.float32)\n"
        "v = torch.arange(4.0).reshape(4, 1)\n"
        "print(s.dtype, m.dtype, f.dtype, f.shape, v.view(2, 2).T.shape)\n"
        "print(f @ f, f.matmul(f).sum().item(), m * 2)\n"
    )
    f = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    m = torch.tensor([[1, 2], [3, 4]])
    expected = (
        f"torch.int64 torch.int64 torch.float32 torch.Size([2, 2]) torch.Size([2, 2])\n"
        f"{f @ f} {(f @ f).sum().item()} {m * 2}\n"
    )
    assert run.stdout == expected


SIMPLENET = (CORPUS / "simplenet.py").read_text()


def test_module_class_matches_plain_torch(interpret: Interpret) -> None:
    run = interpret(SIMPLENET)
    torch.manual_seed(0)
    oracle = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1), nn.Sigmoid())
    F.binary_cross_entropy(oracle(torch.randn(1, 10)), torch.tensor([[1.0]])).backward()
    net = run.vars["net"]
    assert isinstance(net, nn.Module) and type(net).__name__ == "SimpleNet"
    assert torch.allclose(net.fc1.weight.grad, oracle[0].weight.grad)
    assert torch.allclose(net.fc2.bias.grad, oracle[2].bias.grad)
    assert run.recorder.zero_grads == 1
    assert [line.split(":")[0] for line in run.stdout.splitlines() if line.startswith("Gradient")] == [
        "Gradient of fc1.weight",
        "Gradient of fc1.bias",
        "Gradient of fc2.weight",
        "Gradient of fc2.bias",
    ]


def test_optimizer_step_updates_parameters(interpret: Interpret) -> None:
    run = interpret(SIMPLENET + "before = net.fc2.bias.detach().clone()\noptimizer.step()\n")
    bias = run.vars["net"].fc2.bias
    assert torch.allclose(bias.detach(), run.vars["before"] - 0.01 * bias.grad)


def test_old_style_idioms_match_micrograd(interpret: Interpret) -> None:
    run = interpret(
        "import torch\n"
        "x = torch.Tensor([-4.0]).double()\n"
        "x.requires_grad = True\n"
        "z = 2 * x + 2 + x\n"
        "q = z.relu() + z * x\n"
        "h = (z * z).relu()\n"
        "y = h + q + q * x\n"
        "y.backward()\n"
        "a = torch.Tensor([-4.0]).double()\n"
        "b = torch.Tensor([2.0]).double()\n"
        "a.requires_grad = True\n"
        "b.requires_grad = True\n"
        "c = a + b\n"
        "d = a * b + b**3\n"
        "c = c + c + 1\n"
        "c = c + 1 + c + (-a)\n"
        "d = d + d * 2 + (b + a).relu()\n"
        "d = d + 3 * d + (b - a).relu()\n"
        "e = c - d\n"
        "f = e**2\n"
        "g = f / 2.0\n"
        "g = g + 10.0 / f\n"
        "g.backward()\n"
        "print(y.item(), x.grad.item())\n"
        'print(f"{g.item():.4f} {a.grad.item():.4f} {b.grad.item():.4f}")\n'
    )
    assert run.stdout == "-20.0 46.0\n24.7041 138.8338 645.5773\n"


def test_gpt_style_model_is_plain_torch_underneath(interpret: Interpret) -> None:
    run = interpret((CORPUS / "gpt_block.py").read_text())
    model = run.vars["model"]
    assert not model.training
    assert model.blocks[1].attn.qkv.weight.grad.shape == (48, 16)
    assert torch.equal(model.blocks[0].attn.mask, torch.triu(torch.ones(8, 8), diagonal=1).bool())
    assert math.isfinite(run.vars["loss"].item())


def test_autograd_tutorial_and_device_idioms(interpret: Interpret) -> None:
    run = interpret(
        "import torch\n"
        'device = torch.device("cuda" if torch.cuda.is_available() else "cpu")\n'
        "x = torch.ones(5).to(device)\n"
        "y = torch.zeros(3).cuda()\n"
        "w = torch.randn(5, 3, requires_grad=True, device=device)\n"
        "b = torch.randn(3, requires_grad=True)\n"
        "z = torch.matmul(x, w) + b\n"
        "loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)\n"
        'print(f"Gradient function for z = {z.grad_fn}")\n'
        'print(f"Gradient function for loss = {loss.grad_fn}")\n'
        "print(device, y.device, torch.cuda.is_available())\n"
    )
    assert run.stdout == (
        "Gradient function for z = <AddBackward0 object>\n"
        "Gradient function for loss = <BinaryCrossEntropyWithLogitsBackward0 object>\n"
        "cpu cpu False\n"
    )


def test_functions_loops_and_comprehensions(interpret: Interpret) -> None:
    run = interpret(
        "def square(v, power=2):\n"
        "    return v ** power\n"
        "total = 0\n"
        "for i, v in enumerate([1, 2, 3]):\n"
        "    if i == 1:\n"
        "        continue\n"
        "    total += square(v)\n"
        "pairs = [(a, b) for a in range(3) for b in range(a) if b != 1]\n"
        "print(total, pairs, max(pairs), sum([1, 2]), list(zip(range(10**9), 'ab')))\n"
    )
    assert run.stdout == "10 [(1, 0), (2, 0)] (2, 0) 3 [(0, 'a'), (1, 'b')]\n"


def test_spans_return_to_the_caller_after_a_call(interpret: Interpret) -> None:
    run = interpret(
        "import torch\ndef double(v):\n    out = v * 2\n    return out\ny = double(torch.ones(1)) + 1\n"
    )
    statement = (5, 0, 5, 29)
    assert run.recorder.spans[-4:] == [statement, (3, 4, 3, 15), (4, 4, 4, 14), statement]


def test_module_state_constants_and_containers(interpret: Interpret) -> None:
    run = interpret(
        "import torch\n"
        "import torch.nn as nn\n"
        "class Head(nn.Module):\n"
        "    scale = 2.0\n"
        "    def __init__(self, cfg):\n"
        "        super().__init__()\n"
        "        self.cfg = cfg\n"
        "        self.w = nn.Parameter(torch.ones(cfg['n']))\n"
        "        self.steps = 0\n"
        "    def forward(self, x):\n"
        "        self.steps += 1\n"
        "        return x * self.w * self.scale\n"
        "head = Head({'n': 3})\n"
        "out = head(torch.ones(2, 3))\n"
        "shape = out.shape[:-1] + (head.cfg['n'],)\n"
        "top = torch.tensor([1.0, 5.0, 3.0]).max(dim=0)\n"
        "names = [name for name, p in head.named_parameters()]\n"
        "items = list({'b': 1, 'a': 2}.items())\n"
        "print(shape, head.steps, top.values, top.indices, names, items, head.w.grad is None)\n"
    )
    assert run.stdout == "torch.Size([2, 3]) 1 tensor(5.) tensor(1) ['w'] [('b', 1), ('a', 2)] True\n"
    assert torch.equal(run.vars["out"], torch.full((2, 3), 2.0))


def test_scalar_math_and_formatting(interpret: Interpret) -> None:
    run = interpret(
        "import math\n"
        "import torch\n"
        "x = torch.tensor(2.0, requires_grad=True)\n"
        "y = x ** 3 - math.sqrt(16.0) * x\n"
        "y.backward()\n"
        "low = float('-inf')\n"
        "print(f'{y.item():.2f} {x.grad.item():+.1f} {math.pi:.3f} {low} {int(7.9)} {x.grad_fn}')\n"
        "print(round(2.567, 2), abs(-3), min(4, 2, 9), len('abc'), 7 // 2, 7 % 3, -x.detach())\n"
    )
    assert run.stdout == "0.00 +8.0 3.142 -inf 7 None\n2.57 3 2 3 3 1 tensor(-2.)\n"


def test_manual_sgd_and_init_idioms(interpret: Interpret) -> None:
    run = interpret(
        "import torch\n"
        "import torch.nn as nn\n"
        "layer = nn.Linear(3, 1)\n"
        "nn.init.constant_(layer.weight, 0.5)\n"
        "nn.init.zeros_(layer.bias)\n"
        "w = torch.ones(3, requires_grad=True)\n"
        "loss = (layer(torch.ones(3)) * (w * w).sum()).sum()\n"
        "loss.backward()\n"
        "w.data -= 0.1 * w.grad\n"
        "with torch.no_grad():\n"
        "    for p in layer.parameters():\n"
        "        p -= 0.1 * p.grad\n"
        "print(w, layer.bias)\n"
    )
    # loss = 1.5 * sum(w^2): dloss/dw = 3 w = 3 -> w = 0.7; dloss/dbias = sum(w^2) = 3 -> bias = -0.3
    assert run.stdout == (
        "tensor([0.7000, 0.7000, 0.7000], requires_grad=True) Parameter containing:\ntensor([-0.3000], "
        "requires_grad=True)\n"
    )

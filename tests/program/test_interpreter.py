"""The constructs tutorials use, each checked against plain torch running the same computation."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn

Interpret = Callable[..., Any]  # the `interpret` fixture (conftest.py): source -> Run

LOGISTIC = """\
import torch
import torch.nn.functional as F

x = torch.tensor([1.1])
y = torch.tensor([1.0])
w = torch.tensor([2.2], requires_grad=True)
b = torch.tensor([0.0], requires_grad=True)
z = x * w + b
a = torch.sigmoid(z)
loss = F.binary_cross_entropy(a, y)
loss.backward()
print("Gradient w.r.t w:", w.grad)
print(f"Gradient function for z = {z.grad_fn}")
"""


def test_logistic_neuron_prints_like_torch(interpret: Interpret) -> None:
    run = interpret(LOGISTIC)
    assert run.stdout == (
        "Gradient w.r.t w: tensor([-0.0898])\nGradient function for z = <AddBackward0 object>\n"
    )
    assert run.vars["b"].grad.item() == pytest.approx(-0.0817, abs=1e-4)
    assert run.vars["loss"].item() == pytest.approx(0.0852, abs=1e-4)


def test_logistic_neuron_reports_names_and_spans(interpret: Interpret) -> None:
    run = interpret(LOGISTIC)
    assert [name for name, _ in run.recorder.names] == ["x", "y", "w", "b", "z", "a", "loss"]
    assert (8, 0, 8, 13) in run.recorder.spans  # z = x * w + b
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


SIMPLENET = """\
import torch
import torch.nn as nn
import torch.optim as optim

class SimpleNet(nn.Module):
    def __init__(self):
        super(SimpleNet, self).__init__()
        self.fc1 = nn.Linear(10, 5)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(5, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.relu(self.fc1(x))
        return self.sigmoid(self.fc2(x))

net = SimpleNet()
x = torch.randn(4, 10)
y = torch.tensor([[1.0], [0.0], [1.0], [0.0]])
criterion = nn.BCELoss()
optimizer = optim.SGD(net.parameters(), lr=0.01)
optimizer.zero_grad()
loss = criterion(net(x), y)
loss.backward()
optimizer.step()
for name, param in net.named_parameters():
    if param.requires_grad:
        print(f"Gradient of {name}: {param.grad.shape}")
"""


def test_module_class_matches_plain_torch(interpret: Interpret) -> None:
    run = interpret(SIMPLENET)
    torch.manual_seed(0)
    oracle = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1), nn.Sigmoid())
    x = torch.randn(4, 10)
    y = torch.tensor([[1.0], [0.0], [1.0], [0.0]])
    F.binary_cross_entropy(oracle(x), y).backward()
    net = run.vars["net"]
    assert isinstance(net, nn.Module)
    assert torch.allclose(net.fc1.weight.grad, oracle[0].weight.grad)
    assert torch.allclose(net.fc2.bias.grad, oracle[2].bias.grad)
    assert run.recorder.zero_grads == 1
    assert run.stdout.splitlines() == [
        "Gradient of fc1.weight: torch.Size([5, 10])",
        "Gradient of fc1.bias: torch.Size([5])",
        "Gradient of fc2.weight: torch.Size([1, 5])",
        "Gradient of fc2.bias: torch.Size([1])",
    ]


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


GPT_BITS = """\
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

cfg = {"vocab_size": 11, "context_length": 6, "emb_dim": 8, "n_heads": 2, "n_layers": 2, "drop_rate": 0.1}

class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_heads = cfg["n_heads"]
        self.qkv = nn.Linear(cfg["emb_dim"], 3 * cfg["emb_dim"])
        n = cfg["context_length"]
        self.register_buffer("mask", torch.triu(torch.ones(n, n), diagonal=1).bool())

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2)
        k = k.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2)
        v = v.view(B, T, self.n_heads, C // self.n_heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(k.shape[-1])
        att.masked_fill_(self.mask[:T, :T], float("-inf"))
        att = F.softmax(att, dim=-1)
        return (att @ v).transpose(1, 2).contiguous().view(B, T, C)

class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln = nn.LayerNorm(cfg["emb_dim"])
        self.attn = Attention(cfg)
        self.mlp = nn.ModuleList([nn.Linear(8, 16), nn.GELU(), nn.Linear(16, 8)])
        self.drop = nn.Dropout(cfg["drop_rate"])

    def forward(self, x):
        x = x + self.attn(self.ln(x))
        h = x
        for layer in self.mlp:
            h = layer(h)
        return x + self.drop(h)

class Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tok = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"])
        self.pos = nn.Embedding(cfg["context_length"], cfg["emb_dim"])
        self.blocks = nn.Sequential(*[Block(cfg) for _ in range(cfg["n_layers"])])
        self.head = nn.Linear(cfg["emb_dim"], cfg["vocab_size"], bias=False)

    def forward(self, idx):
        B, T = idx.shape
        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))
        return self.head(self.blocks(x))

torch.manual_seed(123)
model = Model(cfg)
idx = torch.randint(0, cfg["vocab_size"], (2, 5))
targets = torch.randint(0, cfg["vocab_size"], (2, 5))
logits = model(idx)
loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
loss.backward()
model.eval()
with torch.no_grad():
    again = model(idx)
print(logits.shape, again.requires_grad, len(model.blocks))
"""


def test_gpt_style_code_runs_and_matches_its_own_rerun(interpret: Interpret) -> None:
    first = interpret(GPT_BITS)
    second = interpret(GPT_BITS)
    assert first.stdout == "torch.Size([2, 5, 11]) False 2\n"
    loss = first.vars["loss"].item()
    assert math.isfinite(loss) and loss == second.vars["loss"].item()
    model = first.vars["model"]
    assert model.blocks[1].attn.qkv.weight.grad.shape == (24, 8)
    assert not model.training
    assert torch.equal(model.blocks[0].attn.mask, torch.triu(torch.ones(6, 6), diagonal=1).bool())


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

"""Capture overhead against plain torch forward+backward, in one process: medians and ratios.

Models: the logistic neuron, a 10-5-1 MLP, a 100-layer 64-wide Tanh MLP (batch 8) and the GPT-2 124M
architecture (nanoGPT-style, 12 layers, 768 wide, 12 heads, vocab 50257, T=16, batch 1).
Targets on GPT-2: capture <= 1.25x plain, capture+encode <= 1.5x.

    .venv/bin/python -m bench.capture [--repeat N] [--only NAME] [--threads N] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import statistics
import time
import warnings
from collections.abc import Callable

with warnings.catch_warnings():  # torch warns at import when the optional numpy is absent
    warnings.simplefilter("ignore")
    import torch

import torch.nn.functional as F
from torch import nn

from app.capture import Capture, Recorder, capture
from app.graph import build_graph
from app.limits import Limits

LIMITS = Limits(max_nodes=20_000)


class Block(nn.Module):
    """nanoGPT's transformer block: pre-LayerNorm causal self-attention and a GELU MLP, with residuals."""

    def __init__(self, width: int, heads: int, context: int) -> None:
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width)
        self.c_attn = nn.Linear(width, 3 * width)
        self.c_proj = nn.Linear(width, width)
        self.ln_2 = nn.LayerNorm(width)
        self.c_fc = nn.Linear(width, 4 * width)
        self.mlp_proj = nn.Linear(4 * width, width)
        self.register_buffer("bias", torch.tril(torch.ones(context, context)).view(1, 1, context, context))

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.heads, C // self.heads).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        v = v.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        y = F.softmax(att, dim=-1) @ v  # (B, nh, T, hs)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self, vocab: int, context: int, width: int, heads: int, layers: int) -> None:
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads, context) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying, as GPT-2

    def forward(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


Step = Callable[[Recorder | None], None]


def logistic() -> Step:
    def step(rec: Recorder | None) -> None:
        x, y = torch.tensor([1.1]), torch.tensor([1.0])
        w = torch.tensor([2.2], requires_grad=True)
        b = torch.tensor([0.0], requires_grad=True)
        F.binary_cross_entropy(torch.sigmoid(x * w + b), y).backward()

    return step


def model_step(model: nn.Module, loss: Callable[[], torch.Tensor]) -> Step:
    def step(rec: Recorder | None) -> None:
        if rec is not None:
            rec.name("model", model)
        model.zero_grad(set_to_none=True)
        loss().backward()

    return step


def mlp() -> Step:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1), nn.Sigmoid())
    x, y = torch.randn(4, 10), torch.rand(4, 1)
    return model_step(net, lambda: F.binary_cross_entropy(net(x), y))


def deep_tanh() -> Step:
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for _ in range(100):
        layers += [nn.Linear(64, 64), nn.Tanh()]
    net = nn.Sequential(*layers)
    x = torch.randn(8, 64)
    return model_step(net, lambda: net(x).pow(2).mean())


def gpt2() -> Step:
    torch.manual_seed(0)
    net = GPT(vocab=50257, context=1024, width=768, heads=12, layers=12)
    idx = torch.randint(0, 50257, (1, 16))
    targets = torch.randint(0, 50257, (1, 16))
    return model_step(net, lambda: net(idx, targets))


def elapsed_ms(run: Callable[[], object]) -> float:
    """Wall time, including the GPU kernels a CUDA run queued."""
    start = time.perf_counter()
    run()
    if torch.cuda.is_initialized():  # type: ignore[no-untyped-call]
        torch.cuda.synchronize()
    return (time.perf_counter() - start) * 1000


def on_device(device: str) -> contextlib.AbstractContextManager[object]:
    """Where the models and the runs' new tensors live, as app.runner places a run (no mode for the CPU:
    a default device is a torch-function mode, which would slow every call); graph building stays outside."""
    return contextlib.nullcontext() if device == "cpu" else torch.device(device)


def measure(name: str, step: Step, device: str, repeat: int) -> None:
    """The three runs interleaved, so that a busy machine slows all of them alike; medians. `encode` is the
    tensor payload's share of build_graph (TensorTable.encode), the rest of it is graph assembly."""

    def captured() -> Capture:
        with on_device(device):
            return capture(step, limits=LIMITS)

    def plain() -> None:
        with on_device(device):
            step(None)

    runs: dict[str, Callable[[], object]] = {
        "plain": plain,
        "capture": captured,
        "encode": lambda: encodes.append(build_graph(captured()).timings["encode"]),
    }
    encodes: list[float] = []
    times: dict[str, list[float]] = {key: [] for key in runs}
    for round_index in range(repeat + 1):
        for key, run in runs.items():
            took = elapsed_ms(run)
            if round_index:  # the first round warms up
                times[key].append(took)
    plain_ms, capture_ms, encode_ms = (statistics.median(times[key]) for key in runs)
    graph = build_graph(captured())
    print(
        f"{name:<12} nodes {len(graph.nodes):>5}  plain {plain_ms:9.1f} ms  capture {capture_ms:9.1f} ms "
        f"({capture_ms / plain_ms:5.2f}x)  capture+encode {encode_ms:9.1f} ms "
        f"({encode_ms / plain_ms:5.2f}x)  "
        f"of which encode {statistics.median(encodes[1:]):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["logistic", "mlp", "tanh100", "gpt2"])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(), help="torch intra-op threads")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="where models and data live")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cases: dict[str, Callable[[], Step]] = {
        "logistic": logistic,
        "mlp": mlp,
        "tanh100": deep_tanh,
        "gpt2": gpt2,
    }
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__} on {args.device}, {threads} threads, median of {args.repeat}")
    for name, make in cases.items():
        if args.only in (None, name):
            with on_device(args.device):
                step = make()
            measure(name, step, args.device, args.repeat)


if __name__ == "__main__":
    main()

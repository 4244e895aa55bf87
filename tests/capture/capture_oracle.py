"""Runs a program text twice in this process: plainly (the oracle: each named tensor kept, its grad
retained) and under capture. Same thread count, same code path: values compare exactly or within rounding."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from traced import captured

from app.capture import Capture
from app.graph import build_graph
from app.limits import Limits
from app.models import GraphResponse, Nested, Node, TensorData
from app.program import BoundedOutput, compile_program


@dataclass
class Run:
    capture: Capture
    graph: GraphResponse
    env: dict[str, object]

    def node(self, label: str) -> Node:
        """The last node with this label (a name reassigned in a loop labels several)."""
        return [n for n in self.graph.nodes if n.label == label][-1]

    def tensor(self, name: str) -> torch.Tensor:
        value = self.env[name]
        assert isinstance(value, torch.Tensor)
        return value


def plain(source: str, seed: int = 0) -> dict[str, object]:
    """The program run without capture; its names, with gradients retained on non-leaf tensors."""
    env: dict[str, object] = {}

    def keep(name: str, value: object) -> None:
        env[name] = value
        if isinstance(value, torch.Tensor) and value.requires_grad and value.grad_fn is not None:
            value.retain_grad()

    torch.manual_seed(seed)
    compile_program(source, max_chars=100_000, max_lines=5_000).run(keep, BoundedOutput(1 << 20))
    return env


def run_both(source: str, limits: Limits | None = None) -> Run:
    env = plain(source)
    recorded = captured(source, limits)
    assert recorded.error is None, recorded.error
    return Run(recorded, build_graph(recorded), env)


def values(data: TensorData | None) -> torch.Tensor:
    """The numbers a TensorData carries, back as a float64 tensor ("NaN"/"Infinity" decoded)."""
    assert data is not None and data.values is not None
    return torch.tensor(_decode(data.values), dtype=torch.float64)


def _decode(value: Nested) -> object:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return float(value) if isinstance(value, str) else value


def assert_close(data: TensorData | None, expected: torch.Tensor) -> None:
    torch.testing.assert_close(values(data), expected.detach().double(), rtol=1e-5, atol=1e-6, equal_nan=True)

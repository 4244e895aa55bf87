"""Runs a test program twice: under capture, and plainly with retain_grad on named tensors (the oracle)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from app.capture import Capture, Recorder, capture
from app.graph import build_graph
from app.limits import Limits
from app.models import GraphResponse, Nested, Node, TensorData

Program = Callable[[Recorder], None]


class PlainRecorder:
    """Stands in for Recorder in the plain run: keeps each named tensor and retains its grad."""

    def __init__(self) -> None:
        self.env: dict[str, object] = {}

    def at(self, line: int, col: int, end_line: int, end_col: int) -> None:
        pass

    def name(self, value: object, name: str) -> None:
        self.env[name] = value
        if isinstance(value, torch.Tensor) and value.requires_grad and value.grad_fn is not None:
            value.retain_grad()

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        yield

    def zero_grad(self) -> None:
        pass


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


def run_both(program: Program, limits: Limits | None = None) -> Run:
    plain = PlainRecorder()
    program(plain)  # type: ignore[arg-type]
    captured = capture(program, limits=limits or Limits())
    assert captured.error is None, captured.error
    return Run(captured, build_graph(captured), plain.env)


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

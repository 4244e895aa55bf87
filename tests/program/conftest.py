"""A recorder double and a helper that runs a program through the interpreter alone (no capture engine)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import torch

from app.limits import Limits
from app.program import Interpreter, check_source, validate


class FakeRecorder:
    """Records what the interpreter reports: statement spans, names, quiet depth and zero_grad calls."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int, int, int]] = []
        self.names: list[tuple[str, object]] = []
        self.depth = 0
        self.zero_grads = 0

    def at(self, line: int, col: int, end_line: int, end_col: int) -> None:
        self.spans.append((line, col, end_line, end_col))

    def name(self, value: object, name: str) -> None:
        self.names.append((name, value))

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def zero_grad(self) -> None:
        self.zero_grads += 1


class Run:
    """The outcome of one interpreted program: stdout, variables and the recorder's log."""

    def __init__(self, interpreter: Interpreter, recorder: FakeRecorder) -> None:
        self.stdout = interpreter.stdout
        self.vars: dict[str, Any] = interpreter.globals.vars
        self.recorder = recorder
        self.budget = interpreter.ctx.budget


@pytest.fixture
def interpret() -> Callable[..., Run]:
    """interpret(source, device="cpu", **limit_overrides) -> Run; errors propagate."""

    def run(source: str, device: str = "cpu", **limits: Any) -> Run:
        recorder = FakeRecorder()
        tree = validate(check_source(source, max_chars=20_000, max_lines=500))
        interpreter = Interpreter(
            tree, limits=Limits(**limits), device=torch.device(device), recorder=recorder
        )
        torch.manual_seed(0)
        interpreter.run()
        return Run(interpreter, recorder)

    return run

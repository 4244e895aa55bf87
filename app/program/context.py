"""What every part of the interpreter shares during one run: budgets, the recorder, the device, stdout."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Protocol

import torch

from app.program.budget import Budget

__all__ = ["Recorder", "RunContext"]


class Recorder(Protocol):
    """The part of the capture engine's recorder the interpreter calls (app.capture.Recorder)."""

    def at(self, line: int, col: int, end_line: int, end_col: int) -> None: ...

    def name(self, value: object, name: str) -> None: ...

    def quiet(self) -> contextlib.AbstractContextManager[None]: ...

    def zero_grad(self) -> None: ...


@dataclass
class RunContext:
    """One run's shared state."""

    budget: Budget
    recorder: Recorder
    device: torch.device
    stdout: list[str] = field(default_factory=list)

    def write(self, text: str) -> None:
        """Append print output, within the print budget."""
        self.budget.printed(len(text.encode()))
        self.stdout.append(text)

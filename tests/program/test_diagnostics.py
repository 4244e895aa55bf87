"""Errors a learner can act on: which name, where, a did-you-mean or the reason, and torch's own message."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from typing import Any

import pytest

from app.errors import (
    ForbiddenArgument,
    ForbiddenAttribute,
    ForbiddenName,
    ForbiddenOperation,
    GradtraceError,
    ProgramRuntimeError,
)
from app.program.diagnostics import as_program_error

Interpret = Callable[..., Any]  # the `interpret` fixture (conftest.py): source -> Run

NET = "import torch\nimport torch.nn as nn\nnet = nn.Linear(2, 2)\nx = torch.ones(2)\n"


def refused(interpret: Interpret, source: str) -> GradtraceError:
    with pytest.raises(GradtraceError) as caught:
        interpret(source)
    return caught.value


CASES = [
    ("loss = 1\nprint(lsos)\n", ForbiddenName, "'lsos' is not defined or not available. Did you mean loss?",
     (2, 6, 10)),
    ("x = torch.ones(1)\n", ForbiddenName, "(add `import torch` at the top)", (1, 4, 9)),
    (NET + "y = torch.sigmoud(x)\n", ForbiddenAttribute, "torch.sigmoud is not available. Did you mean "
     "torch.sigmoid?", (5, 4, 17)),
    (NET + "y = x.sigmod()\n", ForbiddenAttribute, "Did you mean Tensor.sigmoid?", (5, 4, 12)),
    (NET + "w = net.weigth\n", ForbiddenAttribute, "Did you mean Linear.weight?", (5, 4, 14)),
    (NET + "torch.load('m.pt')\n", ForbiddenAttribute, "not available: it reads files", (5, 0, 10)),
    (NET + "y = x + 'a'\n", ForbiddenOperation, "between a tensor and a str", (5, 4, 11)),
    (NET + "y = torch.ones(2, device='cuda', out=x)\n", ForbiddenArgument, "does not accept the keyword out=",
     (5, 4, 39)),
    (NET + "y = net(x, x)\n", ProgramRuntimeError, "TypeError: ", (5, 4, 13)),
]  # fmt: skip


@pytest.mark.parametrize(("source", "error", "message", "position"), CASES)
def test_error_message_and_position(
    interpret: Interpret,
    source: str,
    error: type[GradtraceError],
    message: str,
    position: tuple[int, int, int],
) -> None:
    caught = refused(interpret, source)
    assert type(caught) is error
    assert message in caught.message
    assert (caught.line, caught.col, caught.end_col) == position


def test_torch_messages_lose_internal_paths() -> None:
    node = ast.parse("y = f(x)").body[0]
    raw = RuntimeError(
        "boom in /usr/lib/python3/site.py:12 (Triggered internally at /pytorch/aten/src/x.cpp:5.)"
    )
    error = as_program_error(raw, node)
    assert isinstance(error, ProgramRuntimeError)
    assert error.message == "RuntimeError: boom in <internal>:12"
    assert (error.line, error.col, error.end_col) == (1, 0, 8)


def test_recursion_and_memory_errors_have_their_kinds() -> None:
    node = ast.parse("x").body[0]
    assert as_program_error(RecursionError(), node).kind == "limit_exceeded"
    assert as_program_error(MemoryError(), node).kind == "memory_limit"


def test_failures_inside_the_capture_engine_are_internal_errors() -> None:
    node = ast.parse("y = f(x)").body[0]
    fake = os.path.join(os.sep, "srv", "app", "capture", "fake.py")
    namespace: dict[str, Any] = {}
    exec(compile("def boom():\n    raise TypeError('bug')\n", fake, "exec"), namespace)  # a stand-in frame
    with pytest.raises(TypeError) as caught:
        namespace["boom"]()
    assert as_program_error(caught.value, node).kind == "internal_error"

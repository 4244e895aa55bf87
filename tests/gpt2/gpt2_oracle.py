"""Plain-torch oracle for the example programs, and the helpers that hold a response up against it.

The oracle runs the example's own text with Python (`exec`, in tests only; the app never does) under the
seed the runner sets, so it draws the same random numbers and dropout masks as the interpreted run.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import torch
from torch import nn

from app.models import GraphOptions, GraphResponse, Nested, Node, Scalar, TensorData
from app.runner import run
from app.settings import Settings

DTYPES = {"float32": torch.float32, "float64": torch.float64}
# GPT-2 124M's longest chain of reductions from the inputs to the loss (tests/tolerance.py), for its loss
# computed in another process: in each of 12 blocks two LayerNorms (a mean, then a variance: 2 x 768 each),
# the q/k/v, output and fc matmuls (3 x 768), the projection (3072), scores over 64 and values over 16 tokens;
# then the last LayerNorm, the head (768), the log-sum-exp over 50,257 and the mean over 16 tokens
GPT2_124M_TERMS = 12 * (4 * 768 + 3 * 768 + 3072 + 64 + 16) + 2 * 768 + 768 + 50_257 + 16
RTOL, ATOL = 1e-4, 1e-6  # float32: the same ops in the same order, so only summation order may differ


@dataclass
class Plain:
    """One example run by plain torch: its global names and what it printed."""

    names: dict[str, object]
    stdout: str

    def leaves(self) -> dict[str, torch.Tensor]:
        """Every trainable tensor by the label the graph gives it: module paths, else the variable name."""
        found = {name: value for name, value in self.names.items() if _is_leaf(value)}
        for module in self.modules().values():
            found.update(dict(module.named_parameters()))
        return found

    def modules(self) -> dict[str, nn.Module]:
        """The program's top-level modules by variable name (`model`, `block`)."""
        return {name: value for name, value in self.names.items() if isinstance(value, nn.Module)}


def run_plain(code: str, options: GraphOptions | None = None) -> Plain:
    """The program's text run by Python on plain torch, seeded, typed and placed (CPU or CUDA) as app.runner
    does for `options`."""
    options = options or GraphOptions()
    names: dict[str, object] = {}
    printed = io.StringIO()
    previous = torch.get_default_dtype()
    torch.manual_seed(options.seed)
    torch.set_default_dtype(DTYPES[options.dtype])
    try:
        with contextlib.redirect_stdout(printed), torch.enable_grad(), torch.device(plain_device(options)):
            exec(compile(code, "<example>", "exec"), names)
    finally:
        torch.set_default_dtype(previous)
    return Plain(names, printed.getvalue())


def plain_device(options: GraphOptions) -> str:
    """Where app.runner runs with these options: "auto" is CUDA when this machine has a GPU."""
    wants_cuda = options.device == "cuda" or (options.device == "auto" and torch.cuda.is_available())
    return "cuda" if wants_cuda else "cpu"


def run_served(code: str, options: GraphOptions | None = None) -> GraphResponse:
    """The program through app.runner.run in-process, with the server's default caps."""
    settings = Settings()
    return run(
        code,
        options or GraphOptions(),
        settings.limits,
        max_chars=settings.max_program_chars,
        max_lines=settings.max_program_lines,
    )


def trainable_leaves(graph: GraphResponse) -> list[Node]:
    return [node for node in graph.nodes if node.kind in ("param", "input") and node.grad is not None]


def check_against_plain(graph: GraphResponse, plain: Plain) -> int:
    """Gradients of every trainable leaf, the loss and the printout; returns how many leaves were compared."""
    leaves = plain.leaves()
    compared = trainable_leaves(graph)
    for node in compared:
        grad = leaves[node.label].grad
        assert grad is not None, node.label
        assert_matches(node.grad, grad)
    loss = plain.names.get("loss")
    if isinstance(loss, torch.Tensor):
        assert_close(numbers([graph.outputs["loss"]]), loss.detach().double().reshape(1).cpu())
        assert_matches([node for node in graph.nodes if node.label == "loss"][-1].data, loss)
    assert graph.stdout == plain.stdout
    return len(compared)


def assert_matches(data: TensorData | None, expected: torch.Tensor) -> None:
    """A TensorData equals the tensor: every value when inlined, else its preview and stats.

    NaN and ±Inf travel as strings and must sit where the tensor has them."""
    assert data is not None
    assert data.shape == list(expected.shape)
    assert data.numel == expected.numel()
    expected = expected.detach().double().cpu()
    if data.values is not None:
        assert_close(numbers(data.values), expected)
        return
    assert data.truncated and data.stats is not None and data.preview
    assert_close(numbers(data.preview), expected.flatten()[: len(data.preview)])
    assert (data.stats.nan, data.stats.inf) == (expected.isnan().sum(), expected.isinf().sum())
    if data.stats.nan == data.stats.inf == 0:
        summary = numbers([data.stats.min, data.stats.max, data.stats.mean, data.stats.norm])
        assert_close(summary, torch.stack([expected.min(), expected.max(), expected.mean(), expected.norm()]))


def numbers(values: Nested | list[Scalar | None]) -> torch.Tensor:
    """JSON numbers as a float64 tensor, with "NaN", "Infinity" and "-Infinity" read back."""
    if isinstance(values, list):
        return torch.stack([numbers(item) for item in values]) if values else torch.zeros(0)
    assert values is not None and not isinstance(values, bool)
    return torch.tensor(float(values), dtype=torch.float64)


def assert_close(actual: torch.Tensor, expected: torch.Tensor) -> None:
    assert torch.allclose(actual, expected, rtol=RTOL, atol=ATOL, equal_nan=True)


def visible_boxes(graph: GraphResponse) -> int:
    """Boxes a laid-out graph shows: visible nodes plus collapsed groups not inside a collapsed group."""
    parents = {group.id: group.parent for group in graph.groups}
    collapsed = {group.id for group in graph.groups if group.collapsed}

    def outermost(group_id: str) -> bool:
        parent = parents[group_id]
        while parent is not None and parent not in collapsed:
            parent = parents[parent]
        return parent is None

    return sum(node.w > 0 for node in graph.nodes) + sum(outermost(gid) for gid in collapsed)


def _is_leaf(value: object) -> bool:
    return isinstance(value, torch.Tensor) and value.is_leaf and value.requires_grad

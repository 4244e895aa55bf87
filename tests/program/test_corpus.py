"""The tutorial corpus (tests/programs/*.py) and the built-in examples: each runs unchanged through
app.runner.run and prints and differentiates exactly what plain torch prints and computes for that text."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from app.examples import EXAMPLES
from app.limits import Limits
from app.models import GraphOptions, GraphResponse, Node
from app.runner import run

FILES = sorted((Path(__file__).parents[1] / "programs").glob("*.py"))
SMALL_EXAMPLES = [example for example in EXAMPLES if example.name != "gpt2_124m"]  # 124M: test_examples.py
PROGRAMS = {path.stem: path.read_text() for path in FILES} | {
    f"example_{e.name}": e.code for e in SMALL_EXAMPLES
}
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")  # plain torch prints grad_fn objects with their address


def plain_torch(program: str, path: Path) -> tuple[str, dict[str, Any]]:
    """The oracle: the same text run by Python and torch, seeded like the runner (seed 0, float32)."""
    path.write_text(program)
    torch.manual_seed(0)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        variables = runpy.run_path(str(path))
    return _ADDRESS.sub("", output.getvalue()), variables


def expected_grads(variables: dict[str, Any]) -> dict[str, torch.Tensor]:
    """Gradients by graph label: module parameters by their path (a root module's own parameters under its
    variable name, `model.weight`), other leaf tensors by variable name."""
    modules = {name: value for name, value in variables.items() if isinstance(value, nn.Module)}
    grads = {
        path if "." in path else f"{root}.{path}": p.grad
        for root, module in modules.items()
        for path, p in module.named_parameters()
        if p.grad is not None
    }
    owned = {id(p) for module in modules.values() for p in module.parameters()}
    for name, value in variables.items():
        is_leaf = isinstance(value, torch.Tensor) and value.is_leaf
        if is_leaf and value.grad is not None and id(value) not in owned:
            grads[name] = value.grad
    return grads


def node_grad(response: GraphResponse, label: str) -> torch.Tensor:
    """The gradient the graph reports for the leaf labelled `label`."""
    leaves: list[Node] = [n for n in response.nodes if n.label == label and n.grad is not None]
    assert leaves, f"no node labelled {label} with a gradient"
    data = leaves[0].grad
    assert data is not None and data.values is not None, f"{label}: gradient not sent in full"
    return torch.tensor(finite_or_named(data.values), dtype=torch.float64).reshape(data.shape)


def finite_or_named(values: object) -> object:
    """JSON numbers back to floats; "NaN", "Infinity" and "-Infinity" are what float() reads too."""
    if isinstance(values, list):
        return [finite_or_named(value) for value in values]
    return float(values) if isinstance(values, str) else values


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_matches_plain_torch(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # programs write files (torch.save) in their working folder
    stdout, variables = plain_torch(PROGRAMS[name], tmp_path / f"{name}.py")
    response = run(PROGRAMS[name], GraphOptions(device="cpu"), Limits(), max_chars=20_000, max_lines=500)
    assert _ADDRESS.sub("", response.stdout) == stdout
    if response.backward and len({event.pass_index for event in response.backward}) > 1:
        return  # several passes: their printed losses and gradients are the check (the final .grad is
        # whatever the program left there, often zeroed)
    grads = expected_grads(variables)
    for label, grad in grads.items():
        if grad.numel() <= Limits().max_inline_values:
            assert torch.allclose(node_grad(response, label), grad.double(), atol=1e-6, equal_nan=True), label


def test_corpus_is_there() -> None:
    assert {"logistic_neuron", "simplenet", "gpt_block", "example_gpt2_mini"} <= set(PROGRAMS)

"""resolve(): one entry point for the three request forms; the package's public names are pinned."""

from __future__ import annotations

import app.forms
from app.forms import ResolvedProgram, resolve
from app.models import GraphRequest


def test_public_names() -> None:
    assert app.forms.__all__ == ["ResolvedProgram", "resolve"]


def test_program_form_passes_through() -> None:
    request = GraphRequest(program="import torch\nx = torch.ones(2)\n")
    assert resolve(request) == ResolvedProgram("import torch\nx = torch.ones(2)\n", generated=False)


def test_generated_forms_use_the_request_seed() -> None:
    expression = GraphRequest.model_validate({"expression": "a + 1", "options": {"seed": 3}})
    network = GraphRequest.model_validate(
        {"network": {"layers": [{"type": "Tanh"}], "input": {"shape": [2]}}, "options": {"seed": 3}}
    )
    assert "a = torch.tensor(-0.5241, requires_grad=True)\n" in resolve(expression).program
    assert "torch.manual_seed(3)\n" in resolve(network).program
    assert resolve(expression).generated and resolve(network).generated

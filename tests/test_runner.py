"""app.runner.run: the whole in-process pipeline, from program text to the graph or a positioned error."""

from __future__ import annotations

import gc

import pytest
import torch

from app.errors import DeviceUnavailable, LimitExceeded, ProgramRuntimeError
from app.examples import example
from app.gcpause import collections_paused
from app.limits import Limits
from app.models import GraphOptions, GraphResponse, Node
from app.runner import resolve_device, run

LOGISTIC = example("logistic").code


def graph(program: str, **options: object) -> GraphResponse:
    return run(program, GraphOptions(device="cpu", **options), Limits(), max_chars=20_000, max_lines=500)


def labelled(response: GraphResponse, label: str) -> Node:
    return next(node for node in response.nodes if node.label == label)


def grad_values(node: Node) -> object:
    assert node.grad is not None
    return node.grad.values


def test_logistic_neuron_gradients_labels_and_stdout() -> None:
    response = graph(LOGISTIC)
    assert response.stdout == "Gradient w.r.t w: tensor([-0.0898])\nGradient w.r.t b: tensor([-0.0817])\n"
    assert grad_values(labelled(response, "w")) == [pytest.approx(-0.0898, abs=1e-4)]
    assert grad_values(labelled(response, "b")) == [pytest.approx(-0.0817, abs=1e-4)]
    z = labelled(response, "z")
    assert z.span is not None and (z.span.line, z.span.col, z.span.end_col) == (10, 4, 13)  # `x * w + b`
    assert {"a", "loss"} <= {node.label for node in response.nodes}
    assert (response.device, response.dtype, response.torch) == ("cpu", "float32", torch.__version__)
    assert {"parse", "run", "capture", "encode", "total"} <= set(response.timings)


def test_torch_error_is_runtime_error_at_the_line_with_the_partial_graph() -> None:
    program = "import torch\na = torch.ones(2, 3, requires_grad=True)\nb = a * 2\nc = b @ torch.ones(2, 3)\n"
    with pytest.raises(ProgramRuntimeError) as caught:
        graph(program)
    error = caught.value
    assert (error.line, error.col, error.end_line, error.end_col) == (4, 4, 4, 24)  # the failing `@`
    assert "cannot be multiplied" in error.message and "/" not in error.message
    assert error.graph is not None and len(error.graph["nodes"]) >= 2


def test_a_failed_run_whose_partial_graph_cannot_be_built_keeps_its_positioned_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As after a CUDA out-of-memory, when reducing what ran needs the memory that ran out."""

    def out_of_memory(*_: object) -> GraphResponse:
        raise RuntimeError("CUDA out of memory. Tried to allocate 32.00 MiB")

    monkeypatch.setattr("app.runner.build_graph", out_of_memory)
    program = "import torch\na = torch.ones(2, 3, requires_grad=True)\nb = a * 2\nc = b @ torch.ones(2, 3)\n"
    with pytest.raises(ProgramRuntimeError) as caught:
        graph(program)
    assert (caught.value.line, caught.value.graph) == (4, None)
    with pytest.raises(RuntimeError, match="CUDA out of memory"):  # a run that succeeded has nothing to keep
        graph("import torch\na = torch.ones(2)\n")


def test_bce_target_size_check_keeps_torchs_message() -> None:
    program = "import torch\nimport torch.nn as nn\nloss = nn.BCELoss()(torch.rand(3, 1), torch.rand(3))\n"
    with pytest.raises(ProgramRuntimeError, match="Using a target size"):
        graph(program)


def test_unknown_attribute_is_pythons_own_error_with_its_suggestion() -> None:
    with pytest.raises(ProgramRuntimeError) as caught:
        graph("import torch\nx = torch.ones(1)\ny = torch.sigmoud(x)\n")
    assert caught.value.message.startswith("AttributeError: module 'torch' has no attribute 'sigmoud'")
    assert (caught.value.line, caught.value.col, caught.value.end_col) == (3, 4, 17)
    assert [(f.function, f.line) for f in caught.value.frames] == [("<module>", 3)]


def test_budget_error_names_budget_value_and_cap() -> None:
    with pytest.raises(LimitExceeded) as caught:
        graph("import torch\nx = torch.ones(10**10)\n")
    assert "10,000,000,000" in caught.value.message and "max_numel" in caught.value.message
    assert (caught.value.line, caught.value.col, caught.value.end_col) == (2, 4, 22)


def test_dtype_option_sets_the_default_and_is_restored() -> None:
    response = graph("import torch\nx = torch.ones(2, requires_grad=True)\ny = (x * 3).sum()\ny.backward()\n",
                     dtype="float64")  # fmt: skip
    assert labelled(response, "x").dtype == "float64"
    assert response.dtype == "float64"
    assert torch.get_default_dtype() == torch.float32


def test_seed_option_makes_runs_repeatable() -> None:
    program = "import torch\nx = torch.randn(3)\nprint(x)\n"
    assert graph(program, seed=7).stdout == graph(program, seed=7).stdout != graph(program, seed=8).stdout


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_without_gpu_is_device_unavailable() -> None:
    with pytest.raises(DeviceUnavailable):
        run("x = 1\n", GraphOptions(device="cuda"), Limits(), max_chars=100, max_lines=10)


def test_a_cpu_run_never_asks_about_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking initialises the CUDA driver, and the fork server warms up with CPU runs before it forks."""

    def refuse() -> bool:
        raise AssertionError("torch.cuda.is_available() was called for a CPU run")

    monkeypatch.setattr(torch.cuda, "is_available", refuse)
    assert resolve_device("cpu") == torch.device("cpu")


def test_the_program_collects_its_garbage_even_where_the_pipeline_pauses_collection() -> None:
    """The sandbox child pauses automatic collection from parsing to JSON; the program's runs resume it."""
    program = "import gc\nimport torch\nprint(gc.isenabled())\nw = torch.ones(2, requires_grad=True)\n"
    program += "(w * 2).sum().backward()\n"
    with collections_paused():
        response = graph(program)
        assert not gc.isenabled()
    assert response.stdout == "True\n" and gc.isenabled()

"""Capture, encode and every example on CUDA, held up against the CPU encoder and plain torch on the GPU."""

from __future__ import annotations

import math

import pytest
import torch
from gpt2_oracle import check_against_plain, numbers, run_plain, run_served

from app.capture import encode
from app.examples import EXAMPLES, example
from app.limits import Limits
from app.models import GraphOptions, TensorData, ValuesQuery
from app.values import node_values

CUDA = GraphOptions(device="cuda")


def payload_tensors() -> list[torch.Tensor]:
    """Each kind of payload: inline, big with a heatmap, non-finite, huge ints, half types, 0-d, empty, bool,
    and one past the 4 MB chunk of the big-tensor statistics."""
    torch.manual_seed(0)
    noisy = torch.randn(300, 70) * 3 + 1
    noisy[5, 7], noisy[9, 1], noisy[2, 2] = math.nan, math.inf, -math.inf
    return [
        torch.arange(6.0).reshape(2, 3),
        torch.randn(300, 70) * 3 + 1,
        noisy,
        torch.full((100,), 2**60 + 1, dtype=torch.int64),
        torch.randn(64, 64).half(),
        torch.randn(64, 64).bfloat16(),
        torch.tensor(2.5),
        torch.zeros(2, 0),
        torch.rand(50, 50) > 0.5,
        torch.randn(3_000_000),
    ]


def close(cpu: TensorData, gpu: TensorData) -> None:
    """Exact where values are copied (inline values, previews, shapes); float-close where reduced."""
    assert gpu.model_dump(exclude={"stats", "heatmap"}) == cpu.model_dump(exclude={"stats", "heatmap"})
    assert (gpu.stats is None) == (cpu.stats is None) and (gpu.heatmap is None) == (cpu.heatmap is None)
    if cpu.stats is not None and gpu.stats is not None:
        for name, value in cpu.stats.model_dump().items():
            assert gpu.stats.model_dump()[name] == pytest.approx(value, rel=1e-5, abs=1e-6), name
    if cpu.heatmap is not None and gpu.heatmap is not None:
        assert (gpu.heatmap.rows, gpu.heatmap.cols) == (cpu.heatmap.rows, cpu.heatmap.cols)
        grids = [numbers(data.values) for data in (gpu.heatmap, cpu.heatmap)]  # non-finite cells are strings
        torch.testing.assert_close(*grids, rtol=1e-3, atol=1e-3, equal_nan=True)  # 3 significant digits


def test_encoding_on_the_gpu_equals_encoding_on_the_cpu() -> None:
    tensors = payload_tensors()
    on_cpu = encode(tensors, max_inline=64)
    on_gpu = encode([tensor.cuda() for tensor in tensors], max_inline=64)
    for cpu, gpu in zip(on_cpu, on_gpu, strict=True):
        close(cpu, gpu)


def test_a_run_holding_cpu_and_gpu_tensors_encodes_each_as_the_cpu_does() -> None:
    tensors = payload_tensors()
    mixed = [tensor.cuda() if i % 2 else tensor for i, tensor in enumerate(tensors)]
    for cpu, gpu in zip(encode(tensors, max_inline=64), encode(mixed, max_inline=64), strict=True):
        close(cpu, gpu)


def test_the_logistic_neuron_on_cuda_gives_the_tutorial_numbers() -> None:
    graph = run_served(example("logistic").code, CUDA)
    assert graph.device == "cuda"
    by_label = {node.label: node for node in graph.nodes}
    assert by_label["w"].device == by_label["loss"].device == "cuda:0"

    def grad(label: str) -> float:
        data = by_label[label].grad
        assert data is not None and data.values is not None
        return round(numbers(data.values).item(), 4)

    assert (grad("w"), grad("b"), grad("a")) == (-0.0898, -0.0817, -1.0889)
    assert round(numbers([graph.outputs["loss"]]).item(), 4) == 0.0852


@pytest.mark.parametrize("name", [item.name for item in EXAMPLES])
def test_every_example_on_cuda_equals_plain_torch_on_cuda(name: str) -> None:
    item = example(name)
    options = (item.options or GraphOptions()).model_copy(update={"device": "cuda"})
    served, plain = run_served(item.code, options), run_plain(item.code, options)
    assert served.device == "cuda"
    assert check_against_plain(served, plain) > 0


def test_a_values_page_of_a_cuda_run_is_plain_torchs_on_cuda() -> None:
    code = example("gpt2_block").code
    graph = run_served(code, CUDA)
    weight = next(node for node in graph.nodes if node.kind == "param" and len(node.shape) == 2)
    query = ValuesQuery(node=weight.id, field="grad", offset=100, limit=500, label=weight.label)
    page = node_values(code, CUDA, Limits(), query, max_chars=100_000, max_lines=5_000)
    expected = run_plain(code, CUDA).leaves()[weight.label].grad
    assert expected is not None
    actual = torch.tensor(page.values, dtype=torch.float32)
    torch.testing.assert_close(actual, expected.flatten()[100:600].cpu(), rtol=1e-5, atol=1e-7)

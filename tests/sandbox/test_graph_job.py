"""The graph job: device choice, clamped limits, confinement and payload, and what the child answers."""

from __future__ import annotations

import gc
import json
import weakref

import pytest

from app.errors import DeviceUnavailable
from app.forms import ResolvedProgram
from app.layout import initial_layout
from app.limits import Limits, LimitsOverride
from app.models import GraphOptions, GraphResponse
from app.runner import run
from app.sandbox import graph_job
from app.sandbox.graph_job import confinement, prepare, resolve_device, run_graph
from app.sandbox.pool import Machine
from app.settings import Settings

CPU_ONLY = Machine(torch="2.13.0+cpu", cuda=False, cuda_memory_mb=0)
ONE_GPU = Machine(torch="2.13.0", cuda=True, cuda_memory_mb=81_920)


@pytest.mark.parametrize(
    ("wanted", "cuda", "device"),
    [("auto", False, "cpu"), ("auto", True, "cuda"), ("cpu", True, "cpu"), ("cuda", True, "cuda")],
)
def test_device_resolution(wanted: str, cuda: bool, device: str) -> None:
    assert resolve_device(wanted, cuda) == device


def test_cuda_without_a_gpu_is_refused() -> None:
    with pytest.raises(DeviceUnavailable, match="no CUDA GPU"):
        resolve_device("cuda", False)


def test_cpu_runs_get_an_address_space_limit() -> None:
    limits = Limits(memory_mb=512, cpu_seconds=7, wall_seconds=3.5)
    confined = confinement(limits, "cpu", CPU_ONLY, max_result_bytes=1_000, scratch_mb=32)
    assert (confined.memory_mb, confined.host_memory_mb, confined.cuda_memory_fraction) == (512, None, None)
    assert (confined.cpu_seconds, confined.wall_seconds, confined.max_result_bytes) == (7, 3.5, 1_000)
    assert confined.scratch_mb == 32


def test_cuda_runs_get_a_share_of_gpu_memory_and_a_host_memory_watchdog_instead() -> None:
    confined = confinement(Limits(memory_mb=8_192), "cuda", ONE_GPU, max_result_bytes=1_000, scratch_mb=32)
    assert confined.memory_mb is None
    assert confined.host_memory_mb == 8_192  # held by the server's watchdog instead of RLIMIT_AS
    assert confined.cuda_memory_fraction == pytest.approx(0.1)


def test_payload_carries_the_resolved_device_and_clamped_limits() -> None:
    settings = Settings(limits=Limits(wall_seconds=10), max_program_chars=123, max_program_lines=45)
    options = GraphOptions(device="auto", limits=LimitsOverride(wall_seconds=60, max_nodes=7))
    payload, confined = prepare(ResolvedProgram("x = '\ud800'", generated=False), options, settings, CPU_ONLY)
    task = json.loads(payload)
    assert payload.isascii()
    assert task["program"] == "x = '\ud800'"
    assert task["options"]["device"] == "cpu"
    assert (task["limits"]["wall_seconds"], task["limits"]["max_nodes"]) == (10, 7)  # never above the cap
    assert (task["max_chars"], task["max_lines"]) == (123, 45)
    assert confined.wall_seconds == 10


LOGISTIC = """import torch
x = torch.tensor([1.1])
w = torch.tensor([2.2], requires_grad=True)
b = torch.tensor([0.0], requires_grad=True)
a = torch.sigmoid(x * w + b)
loss = torch.nn.functional.binary_cross_entropy(a, torch.tensor([1.0]))
loss.backward()
"""


def served(resolved: ResolvedProgram, *, layout: bool) -> GraphResponse:
    """What the child answers for one program, run here in-process."""
    payload, _ = prepare(resolved, GraphOptions(device="cpu", layout=layout), Settings(), CPU_ONLY)
    return GraphResponse.model_validate_json(run_graph(payload))


def test_the_child_lays_the_graph_out_as_initial_layout_does() -> None:
    graph = served(ResolvedProgram(LOGISTIC, generated=False), layout=True)
    settings = Settings()
    unlaid = run(LOGISTIC, GraphOptions(device="cpu"), settings.limits, max_chars=10_000, max_lines=100)
    expected = initial_layout(unlaid)
    assert graph.timings.pop("layout") >= 0 and expected.timings.pop("layout") >= 0
    assert [(n.id, n.x, n.y, n.w, n.h) for n in graph.nodes] == [
        (n.id, n.x, n.y, n.w, n.h) for n in expected.nodes
    ]
    assert [e.points for e in graph.edges] == [e.points for e in expected.edges]
    assert (graph.width, graph.height) == (expected.width, expected.height) and graph.width > 0
    w = next(node for node in graph.nodes if node.label == "w")
    assert w.grad is not None and w.grad.values == [pytest.approx(-0.0898, abs=1e-4)]
    assert graph.program is None  # the request's own program is not echoed


def test_without_layout_nodes_stay_unplaced() -> None:
    graph = served(ResolvedProgram(LOGISTIC, generated=False), layout=False)
    assert "layout" not in graph.timings
    assert all(node.w == 0 for node in graph.nodes) and graph.width == 0


def test_a_generated_program_travels_back_with_its_notes() -> None:
    resolved = ResolvedProgram(LOGISTIC, notes=("free names x became leaves",))
    graph = served(resolved, layout=False)
    assert (graph.program, graph.notes) == (LOGISTIC, ["free names x became leaves"])


def test_a_graph_outlives_its_reply_until_the_next_run_only() -> None:
    """The child sends its reply before freeing the graph (it exits right after); in-process runs hold one."""
    served(ResolvedProgram(LOGISTIC, generated=False), layout=True)
    first = [weakref.ref(graph) for graph in graph_job._answered]
    assert len(first) == 2 and all(ref() is not None for ref in first)  # as run, and laid out
    served(ResolvedProgram(LOGISTIC, generated=False), layout=False)
    gc.collect()
    assert [ref() for ref in first] == [None, None]
    assert len(graph_job._answered) == 2 and graph_job._answered[0] is graph_job._answered[1]

"""The server side of the graph job: device choice, clamped limits, the child's confinement, the payload."""

from __future__ import annotations

import json

import pytest

from app.errors import DeviceUnavailable
from app.limits import Limits, LimitsOverride
from app.models import GraphOptions
from app.sandbox.graph_job import confinement, prepare, resolve_device
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
    confined = confinement(limits, "cpu", CPU_ONLY, max_result_bytes=1_000)
    assert (confined.memory_mb, confined.cuda_memory_fraction) == (512, None)
    assert (confined.cpu_seconds, confined.wall_seconds, confined.max_result_bytes) == (7, 3.5, 1_000)


def test_cuda_runs_get_a_share_of_gpu_memory_instead() -> None:
    confined = confinement(Limits(memory_mb=8_192), "cuda", ONE_GPU, max_result_bytes=1_000)
    assert confined.memory_mb is None
    assert confined.cuda_memory_fraction == pytest.approx(0.1)


def test_payload_carries_the_resolved_device_and_clamped_limits() -> None:
    settings = Settings(limits=Limits(wall_seconds=10), max_program_chars=123, max_program_lines=45)
    options = GraphOptions(device="auto", limits=LimitsOverride(wall_seconds=60, max_ops=7))
    payload, confined = prepare("x = '\ud800'", options, settings, CPU_ONLY)
    task = json.loads(payload)
    assert payload.isascii()
    assert task["program"] == "x = '\ud800'"
    assert task["options"]["device"] == "cpu"
    assert (task["limits"]["wall_seconds"], task["limits"]["max_ops"]) == (10, 7)  # never above the cap
    assert (task["max_chars"], task["max_lines"]) == (123, 45)
    assert confined.wall_seconds == 10

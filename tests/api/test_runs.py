"""The sandbox seen through HTTP: time, CPU and memory limits, a killed worker, a client that goes away.

None of these depends on how fast the machine is: the runs stopped here never finish by themselves
(tests/long_runs.py), the tests wait for states (a child that took its job, an idle pool), and a child is
"gone" when /proc no longer shows it running a job.
"""

from __future__ import annotations

import os
import signal
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import proc
import pytest
from graphs import grad
from held import held
from long_runs import UNFINISHABLE
from waiting import BACKSTOP_SECONDS, wait_for_async

if TYPE_CHECKING:
    from conftest import LiveServer

BIG = "import torch\nx = torch.zeros(50000000)\n"


def run(server: LiveServer, program: str, **limits: float) -> httpx.Response:
    with server.client() as client:
        return client.post("/graph", json={"program": program, "options": {"limits": limits}})


def still_correct(server: LiveServer, program: str) -> None:
    response = run(server, program)
    assert response.status_code == 200, response.text
    assert round(grad(response.json(), "w"), 4) == -0.0898


def kind(response: httpx.Response) -> Any:
    return response.json()["error"]["kind"]


@pytest.mark.slow
def test_a_run_is_stopped_at_the_wall_clock_limit_and_its_child_killed(
    server: LiveServer, logistic_neuron: str
) -> None:
    before = proc.running_workers(server.pid)  # children of earlier runs may still be exiting
    response = run(server, UNFINISHABLE, wall_seconds=1)
    assert (response.status_code, kind(response)) == (422, "timeout")
    assert response.json()["error"]["message"] == "the run took longer than 1 s and was stopped"
    assert proc.running_workers(server.pid) <= before  # its child was killed before the answer
    still_correct(server, logistic_neuron)


@pytest.mark.slow
def test_a_run_is_stopped_at_the_cpu_limit(small_server: LiveServer, logistic_neuron: str) -> None:
    """On the small server nothing but the CPU limit can end this run (its wall clock allows an hour)."""
    response = run(small_server, UNFINISHABLE, cpu_seconds=1)
    assert (response.status_code, kind(response)) == (422, "cpu_limit")
    still_correct(small_server, logistic_neuron)


def test_big_allocation_hits_the_memory_limit(server: LiveServer, logistic_neuron: str) -> None:
    response = run(server, BIG, memory_mb=64)
    assert (response.status_code, kind(response)) == (422, "memory_limit")
    still_correct(server, logistic_neuron)


@pytest.mark.slow
@pytest.mark.anyio
async def test_worker_killed_mid_run_is_a_clean_error_and_the_pool_recovers(
    small_server: LiveServer, logistic_neuron: str
) -> None:
    before = proc.running_workers(small_server.pid)
    outcome: list[httpx.Response] = []
    async with httpx.AsyncClient(base_url=small_server.url, timeout=BACKSTOP_SECONDS) as client:

        async def request() -> None:
            outcome.append(await client.post("/graph", json={"program": UNFINISHABLE}))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(request)
            started = await wait_for_async(
                lambda: proc.running_workers(small_server.pid) - before, "the run's child to take its job"
            )
            (victim,) = started
            os.kill(victim, signal.SIGKILL)
    assert outcome[0].status_code == 500
    error = outcome[0].json()["error"]
    assert error["kind"] == "worker_crashed" and "SIGKILL" in error["message"]
    still_correct(small_server, logistic_neuron)


@pytest.mark.slow
@pytest.mark.anyio
async def test_client_that_disconnects_cancels_its_run(small_server: LiveServer) -> None:
    """The run would go on for longer than any wait here: only the cancel can end its child."""
    before = proc.running_workers(small_server.pid)
    async with held(small_server, {"program": UNFINISHABLE}, running=1):
        children = await wait_for_async(
            lambda: proc.running_workers(small_server.pid) - before, "the held run's child to take its job"
        )
    await wait_for_async(
        lambda: not children & proc.running_workers(small_server.pid), "its abandoned child to be killed"
    )


def test_fork_server_stays_single_threaded_after_warm_up(server: LiveServer) -> None:
    """Forking a process that runs threads can deadlock the child; the warm-up must not start any."""
    fork_servers = [pid for pid in proc.children(server.pid) if "forkserver" in proc.command(pid)]
    assert len(fork_servers) == 1
    assert proc.threads(fork_servers[0]) == 1

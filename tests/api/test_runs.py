"""The sandbox seen through HTTP: time, CPU and memory limits, a killed worker, a client that goes away.

None of these depends on how fast the machine is: the runs stopped here never finish by themselves
(tests/long_runs.py), the tests wait for states (a child that took its job, an idle pool), and a child is
"gone" when /proc no longer shows it running a job.
"""

from __future__ import annotations

import base64
import os
import signal
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import proc
import pytest
import torch
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


def test_the_datasets_are_in_every_runs_working_folder(server: LiveServer) -> None:
    program = """\
import csv
names = open("names.txt").read().split()
with open("moons.csv") as moons:
    rows = list(csv.DictReader(moons))
labels = sorted({row["label"] for row in rows})
print(names[:3], len(rows), labels, open("shakespeare.txt").readline().strip())
"""
    with server.client() as client:
        response = client.post("/graph", json={"program": program})
    assert response.status_code == 200, response.text[:300]
    assert response.json()["stdout"] == (
        "['mary', 'james', 'patricia'] 200 ['0', '1'] Shall I compare thee to a summer's day?\n"
    )


def test_a_program_runs_with_the_garbage_collector_on(server: LiveServer) -> None:
    """The child answers without automatic collection, but the program is Python as anywhere: its cycles
    are collected (a loop making them would otherwise grow without bound)."""
    program = """\
import gc
import weakref
class Cycle:
    pass
first = Cycle()
first.me = first
gone = weakref.ref(first)
del first
for _ in range(100_000):
    junk = []
    junk.append(junk)
print(gc.isenabled(), gone() is None)
"""
    with server.client() as client:
        response = client.post("/graph", json={"program": program})
    assert response.status_code == 200, response.text[:300]
    assert response.json()["stdout"] == "True True\n"


def test_figures_a_program_draws_come_back_as_images(server: LiveServer) -> None:
    program = """\
import matplotlib.pyplot as plt
import torch
losses = [1.0, 0.5, 0.25]
plt.plot(losses)
plt.title("loss")
plt.show()
plt.figure()
plt.scatter([0, 1], [1, 0])
print("drawn")
"""
    with server.client() as client:
        response = client.post("/graph", json={"program": program})
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert body["stdout"] == "drawn\n"  # no warning about a non-interactive backend
    assert len(body["figures"]) == 2  # show() took the first; the second was still open at the end
    for figure in body["figures"]:
        png = base64.b64decode(figure.removeprefix("data:image/png;base64,"))
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1_000


LONG_LOOP = """\
import torch
import torch.nn as nn
torch.manual_seed(0)
x = torch.randn(16, 2)
y = (x[:, :1] * x[:, 1:] > 0).float()
model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(2000):
    opt.zero_grad()
    loss = nn.functional.binary_cross_entropy_with_logits(model(x), y)
    loss.backward()
    opt.step()
print(round(loss.item(), 4))
"""


def test_a_2000_step_loop_runs_whole_and_the_graph_keeps_its_first_and_last_passes(
    server: LiveServer,
) -> None:
    with server.client() as client:
        response = client.post("/graph", json={"program": LONG_LOOP, "options": {"layout": False}})
        assert response.status_code == 200, response.text[:300]
        graph = response.json()
        plain = run_plain_loop()
        assert graph["stdout"] == f"{plain[-1]}\n"
        window = graph["passes"]
        assert (window["total"], window["kept"]) == (2000, [0, 1, 1998, 1999])
        assert [round(loss, 4) for loss in window["loss"]] == [round(loss, 4) for loss in plain[:-1]]
        assert {event["pass_index"] for event in graph["backward"]} == {0, 1, 1998, 1999}
        last = [node for node in graph["nodes"] if node["label"] == "loss"][-1]
        page = client.post("/values", json={"program": LONG_LOOP, "node": last["id"], "label": "loss"})
        assert page.status_code == 200, page.text[:300]
        assert round(page.json()["values"][0], 4) == plain[-2]


def run_plain_loop() -> list[float]:
    """Plain torch: each pass's loss (rounded), then the printed final loss."""
    torch.manual_seed(0)
    x = torch.randn(16, 2)
    y = (x[:, :1] * x[:, 1:] > 0).float()
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(2000):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        opt.step()
        losses.append(round(loss.item(), 4))
    return [*losses, round(loss.item(), 4)]

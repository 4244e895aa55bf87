"""The sandbox seen through HTTP: time, CPU and memory limits, a killed worker, a client that goes away."""

from __future__ import annotations

import base64
import os
import signal
import threading
import time
from typing import TYPE_CHECKING, Any

import httpx
import proc
import pytest
import torch
from graphs import grad

if TYPE_CHECKING:
    from conftest import LiveServer

SPIN = "import torch\nfor i in range(10000):\n    y = torch.randn(256, 256) @ torch.randn(256, 256)\n"
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
def test_spinning_program_is_stopped_at_the_wall_clock_limit(
    server: LiveServer, logistic_neuron: str
) -> None:
    started = time.monotonic()
    response = run(server, SPIN, wall_seconds=1)
    assert time.monotonic() - started < 5
    assert (response.status_code, kind(response)) == (422, "timeout")
    still_correct(server, logistic_neuron)


@pytest.mark.slow
def test_spinning_program_is_stopped_at_the_cpu_limit(server: LiveServer, logistic_neuron: str) -> None:
    response = run(server, SPIN, cpu_seconds=1)
    assert (response.status_code, kind(response)) == (422, "cpu_limit")
    still_correct(server, logistic_neuron)


def test_big_allocation_hits_the_memory_limit(server: LiveServer, logistic_neuron: str) -> None:
    response = run(server, BIG, memory_mb=64)
    assert (response.status_code, kind(response)) == (422, "memory_limit")
    still_correct(server, logistic_neuron)


@pytest.mark.slow
def test_worker_killed_mid_run_is_a_clean_error_and_the_pool_recovers(
    server: LiveServer, logistic_neuron: str
) -> None:
    outcome: list[httpx.Response] = []
    request = threading.Thread(target=lambda: outcome.append(run(server, SPIN, wall_seconds=20)))
    request.start()
    victim = busiest_worker(server.pid)
    os.kill(victim, signal.SIGKILL)
    request.join(30)
    assert outcome[0].status_code == 500
    error = outcome[0].json()["error"]
    assert error["kind"] == "worker_crashed" and "SIGKILL" in error["message"]
    still_correct(server, logistic_neuron)


@pytest.mark.slow
def test_client_that_disconnects_cancels_its_run(server: LiveServer) -> None:
    with pytest.raises(httpx.ReadTimeout), httpx.Client(base_url=server.url, timeout=1.0) as client:
        client.post("/graph", json={"program": SPIN, "options": {"limits": {"wall_seconds": 20}}})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(proc.cpu_ticks(pid) > 50 for pid in live_workers(server.pid)):
        time.sleep(0.1)
    assert not [pid for pid in live_workers(server.pid) if proc.cpu_ticks(pid) > 50]


def test_fork_server_stays_single_threaded_after_warm_up(server: LiveServer) -> None:
    """Forking a process that runs threads can deadlock the child; the warm-up must not start any."""
    fork_servers = [pid for pid in proc.children(server.pid) if "forkserver" in proc.command(pid)]
    assert len(fork_servers) == 1
    assert proc.threads(fork_servers[0]) == 1


def live_workers(server_pid: int) -> list[int]:
    return [pid for pid in proc.workers(server_pid) if proc.alive(pid)]


def busiest_worker(server_pid: int) -> int:
    """The worker child that is burning CPU (the running one; pre-forked ones sit idle)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.3)
        ticks = {pid: proc.cpu_ticks(pid) for pid in live_workers(server_pid)}
        busy = [pid for pid, used in ticks.items() if used > 20]  # > 0.2 s of CPU
        if busy:
            return max(busy, key=ticks.__getitem__)
    raise AssertionError("no busy worker found")


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
    with server.client(timeout=120) as client:
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

"""The CUDA path through the real server: the fork server must leave CUDA alone so that its children can use
the GPU; runs, /values pages and the GPU memory share, each held up against plain torch on the GPU."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest
import torch
from gpt2_oracle import GPT2_124M_TERMS, run_plain
from tolerance import assert_within_rounding

from app.examples import example
from app.models import GraphOptions

if TYPE_CHECKING:
    from conftest import LiveServer

LINEAR = """\
import torch
import torch.nn as nn

torch.manual_seed(7)
lin = nn.Linear(300, 400)
x = torch.randn(8, 300)
y = x @ lin.weight.t() + lin.bias
loss = (y * y).mean()
loss.backward()
"""
# 3 x 32 MB on the GPU against a 64 MiB share: the third allocation fails, on line 5
GPU_HOG = "import torch\n\na = torch.zeros(8000000)\nb = torch.zeros(8000000)\nc = torch.zeros(8000000)\n"


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Any:
    with server.client() as client:
        yield client


def graph(client: httpx.Client, program: str, **options: Any) -> dict[str, Any]:
    response = client.post("/graph", json={"program": program, "options": {"layout": False, **options}})
    assert response.status_code == 200, response.text[:500]
    body: dict[str, Any] = response.json()
    return body


def labelled(body: dict[str, Any], label: str) -> dict[str, Any]:
    return [node for node in body["nodes"] if node["label"] == label][-1]


def test_the_server_reports_its_gpu(client: httpx.Client) -> None:
    ready = client.get("/healthz").json()
    assert (ready["status"], ready["cuda"]) == ("ok", True)


def test_auto_runs_on_the_gpu_and_cpu_stays_on_the_cpu(client: httpx.Client, logistic_neuron: str) -> None:
    on_gpu, on_cpu = graph(client, logistic_neuron), graph(client, logistic_neuron, device="cpu")
    assert (on_gpu["device"], labelled(on_gpu, "w")["device"]) == ("cuda", "cuda:0")
    assert (on_cpu["device"], labelled(on_cpu, "w")["device"]) == ("cpu", "cpu")
    for body in (on_gpu, on_cpu):
        grads = [round(labelled(body, name)["grad"]["values"][0], 4) for name in ("w", "b")]
        assert grads == [-0.0898, -0.0817]


def test_a_values_page_of_a_gpu_run_equals_plain_torch_on_the_gpu(client: httpx.Client) -> None:
    body = graph(client, LINEAR, device="cuda")
    weight = labelled(body, "lin.weight")
    query = {"program": LINEAR, "options": {"device": "cuda"}, "node": weight["id"], "field": "grad"}
    response = client.post("/values", json={**query, "offset": 50_000, "limit": 1_000})
    assert response.status_code == 200, response.text[:500]
    plain = run_plain(LINEAR, GraphOptions(device="cuda")).names["lin"]
    assert isinstance(plain, torch.nn.Linear) and plain.weight.grad is not None
    expected = plain.weight.grad.flatten()[50_000:51_000]
    # reduced along 300 inputs then 8 rows, by whichever kernels cuBLAS picked in each process
    assert_within_rounding(response.json()["values"], expected, dtype=torch.float32, terms=300 + 8)


def test_a_run_past_its_gpu_memory_share_is_a_memory_limit_and_the_next_run_is_fine(
    client: httpx.Client, logistic_neuron: str
) -> None:
    body = {"program": GPU_HOG, "options": {"device": "cuda", "limits": {"memory_mb": 64}}}
    response = client.post("/graph", json=body)
    assert response.status_code == 422, response.text[:500]
    error = response.json()["error"]
    assert (error["kind"], error["line"]) == ("memory_limit", 5)
    assert graph(client, logistic_neuron)["device"] == "cuda"


def test_gpt2_124m_on_the_gpu_answers_200_with_plain_torchs_loss(client: httpx.Client) -> None:
    code = example("gpt2_124m").code
    body = graph(client, code, layout=True, device="cuda")
    plain = run_plain(code, GraphOptions(device="cuda"))
    assert body["device"] == "cuda" and body["width"] > 0
    loss = plain.names["loss"]
    assert isinstance(loss, torch.Tensor)
    assert_within_rounding(body["outputs"]["loss"], loss.item(), dtype=torch.float32, terms=GPT2_124M_TERMS)

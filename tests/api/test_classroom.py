"""Serving a class: per-client limits (429 + Retry-After), /metrics, an optional join code, and a page that a
learning platform may embed when told so. All over real HTTP."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from conftest import serving
from graphs import grad

if TYPE_CHECKING:
    from conftest import LiveServer

SLOW = "import torch\nfor i in range(200):\n    y = torch.randn(256, 256) @ torch.randn(256, 256)\n"  # ~2 s
TOKEN_HEADER = "x-gradtrace-client"


def metric(client: httpx.Client, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", client.get("/metrics").text, re.M)
    assert found, name
    return float(found.group(1))


def wait_for_metric(client: httpx.Client, name: str, value: float) -> None:
    for _ in range(3_000):  # each try is a request, not a sleep
        if metric(client, name) == value:
            return
    raise AssertionError(f"{name} never reached {value}")


@pytest.fixture(scope="module")
def fair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One run per client, three per IP, no cache (so that repeated requests run), two workers."""
    settings = {
        "runs_per_client": "1",
        "runs_per_ip": "3",
        "cache_bytes": "0",
        "workers": "2",
        "prefork": "2",
    }
    with serving(tmp_path_factory, "fair", settings) as live:
        yield live


def post_as(server: LiveServer, token: str | None, body: dict[str, Any]) -> httpx.Response:
    headers = {TOKEN_HEADER: token} if token else {}
    with httpx.Client(base_url=server.url, timeout=60, headers=headers) as client:
        return client.post("/graph", json=body)


def test_one_client_cannot_hold_every_worker_and_an_ip_is_a_coarse_outer_bound(
    fair: LiveServer, logistic_neuron: str
) -> None:
    slow = {"program": SLOW, "options": {"layout": False}}
    holders = [
        threading.Thread(target=post_as, args=(fair, f"student-{name}", slow))
        for name in ("aaaa", "bbbb", "cccc")
    ]
    for holder in holders:
        holder.start()
    try:
        with fair.client() as client:  # two runs and one waiting: three places of this IP taken
            wait_for_metric(client, "gradtrace_pool_running", 2)
            wait_for_metric(client, "gradtrace_pool_waiting", 1)
        same_client = post_as(fair, "student-aaaa", {"program": logistic_neuron})
        new_client = post_as(fair, "student-dddd", {"program": logistic_neuron})
    finally:
        for holder in holders:
            holder.join()
    for refused, cause in ((same_client, "this client already has 1 runs"), (new_client, "this address")):
        assert refused.status_code == 429, refused.text
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["error"]["kind"] == "too_many_requests"
        assert cause in refused.json()["error"]["message"]
    after = post_as(fair, "student-aaaa", {"program": logistic_neuron})
    assert after.status_code == 200 and round(grad(after.json(), "w"), 4) == -0.0898
    with fair.client() as client:
        assert metric(client, "gradtrace_client_limit_refusals_total") == 2
        assert metric(client, 'gradtrace_errors_total{kind="too_many_requests"}') == 2


def test_metrics_count_runs_errors_cache_and_children(server: LiveServer, logistic_neuron: str) -> None:
    with server.client() as client:
        before = metric(client, 'gradtrace_runs_total{task="graph"}')
        body = {"program": f"{logistic_neuron}# metrics\n"}
        assert client.post("/graph", json=body).status_code == 200
        assert client.post("/graph", json=body).status_code == 200
        assert client.post("/graph", json={"program": 42}).status_code == 422
        response = client.get("/metrics")
        assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
        assert metric(client, 'gradtrace_runs_total{task="graph"}') == before + 1
        assert metric(client, "gradtrace_cache_hits_total") >= 1
        assert metric(client, "gradtrace_cache_bytes") > 0
        assert metric(client, 'gradtrace_errors_total{kind="invalid_request"}') >= 1
        assert metric(client, "gradtrace_pool_ready") == 1
        assert metric(client, "gradtrace_children") >= 1
        assert metric(client, "gradtrace_children_rss_bytes") > 10 * 2**20  # a child holds torch
    for line in response.text.splitlines():  # every line a comment or `name{labels} number`
        assert re.fullmatch(
            r"# (HELP|TYPE) gradtrace_\w+ .+|gradtrace_\w+(\{\w+=\"[^\"]*\"\})? [0-9.e+-]+", line
        )


@pytest.fixture(scope="module")
def for_a_class(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = {"join_code": "owl-42", "frame_ancestors": "'self' https://lms.example.org", "prefork": "1"}
    with serving(tmp_path_factory, "class", settings) as live:
        yield live


def test_a_join_code_is_asked_of_everything_but_healthz(
    for_a_class: LiveServer, logistic_neuron: str
) -> None:
    body = {"program": logistic_neuron}
    with for_a_class.client() as client:
        asked = client.get("/")
        wrong = client.post("/graph", json=body, auth=("ana", "owl-41"))
        health = client.get("/healthz")
        page = client.get("/", auth=("ana", "owl-42"))
        graph = client.post("/graph", json=body, auth=("ben", "owl-42"))
    assert asked.status_code == 401 and wrong.status_code == 401
    assert asked.headers["www-authenticate"] == 'Basic realm="gradtrace", charset="UTF-8"'
    assert asked.json()["error"]["kind"] == "unauthorized"
    assert health.status_code == 200
    assert page.status_code == 200 and graph.status_code == 200
    assert round(grad(graph.json(), "w"), 4) == -0.0898


def test_frame_ancestors_let_a_platform_embed_the_page(for_a_class: LiveServer, server: LiveServer) -> None:
    with for_a_class.client() as client:
        embeddable = client.get("/", auth=("ana", "owl-42"))
    with server.client() as client:
        default = client.get("/")
    assert "frame-ancestors 'self' https://lms.example.org;" in embeddable.headers["content-security-policy"]
    assert "x-frame-options" not in embeddable.headers  # it cannot name a platform; CSP decides
    assert "frame-ancestors 'none';" in default.headers["content-security-policy"]
    assert default.headers["x-frame-options"] == "DENY"

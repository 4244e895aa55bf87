"""Every row of the shared hostile table through the real server: its status and kind, never a 500.

Afterwards the server is still healthy and the logistic neuron still gets dL/dw = -0.0898.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from graphs import grad
from hostile_cases import CASES, HostileCase

if TYPE_CHECKING:
    from conftest import LiveServer

WALL_SECONDS = 3  # sandbox rows (wall clock, CPU, memory) are stopped quickly


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_program_gets_its_kind(server: LiveServer, case: HostileCase) -> None:
    limits = {"wall_seconds": WALL_SECONDS} if case.layer == "sandbox" else {}
    body = {"program": case.program, "options": {"limits": limits}}
    content = json.dumps(body)  # ASCII JSON: a lone surrogate travels as a \ud800 escape, as browsers send it
    with server.client() as client:
        response = client.post("/graph", content=content, headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text[:500]
    if case.kind is None:
        assert response.status_code == 200, response.text[:500]
        assert all(text in response.text for text in case.contains)
        return
    assert response.status_code == 422
    assert response.json()["error"]["kind"] == case.kind, response.json()["error"]


def test_server_is_healthy_and_correct_after_the_table(server: LiveServer, logistic_neuron: str) -> None:
    with server.client() as client:
        assert client.get("/healthz").status_code == 200
        graph = client.post("/graph", json={"program": logistic_neuron}).json()
    assert round(grad(graph, "w"), 4) == -0.0898

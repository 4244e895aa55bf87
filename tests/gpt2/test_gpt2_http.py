"""The GPT-2 124M example through the real HTTP server, within the server's default limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from gpt2_oracle import run_plain

from app.examples import example
from app.limits import Limits

if TYPE_CHECKING:
    from conftest import LiveServer


@pytest.mark.slow
def test_gpt2_124m_answers_200_with_the_folded_model(server: LiveServer) -> None:
    code = example("gpt2_124m").code
    with server.client(timeout=120) as client:
        response = client.post("/graph", json={"program": code})
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert body["limits"] == Limits().model_dump()
    groups = {group["id"]: group for group in body["groups"]}
    stack = groups["blocks[0-11]"]
    assert (stack["label"], stack["repeat"], stack["parent"]) == ("blocks × 12 (Block)", 12, "blocks")
    plain = run_plain(code)
    model = plain.modules()["model"]
    assert groups["model"]["params"] == sum(p.numel() for p in model.parameters())
    assert body["outputs"]["loss"] == pytest.approx(plain.names["loss"].item(), rel=1e-5)
    assert body["stdout"] == plain.stdout
    assert body["width"] > 0 and body["timings"]["layout"] > 0

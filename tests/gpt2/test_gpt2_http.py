"""The GPT-2 124M example through the real HTTP server, within the server's default limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import torch
from gpt2_oracle import GPT2_124M_TERMS, run_plain
from tolerance import assert_within_rounding

from app.examples import example
from app.limits import Limits

if TYPE_CHECKING:
    from conftest import LiveServer


@pytest.mark.slow
def test_gpt2_124m_answers_200_with_the_folded_model(server: LiveServer) -> None:
    code = example("gpt2_124m").code
    with server.client() as client:
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
    loss = plain.names["loss"]
    assert isinstance(loss, torch.Tensor)
    assert_within_rounding(body["outputs"]["loss"], loss.item(), dtype=torch.float32, terms=GPT2_124M_TERMS)
    # the printed loss comes from the child's own value: another process may round its last digit otherwise
    *printed, last = body["stdout"].splitlines()
    assert printed == plain.stdout.splitlines()[:-1]  # the parameter count and the logits' shape
    assert last == f"loss: {body['outputs']['loss']:.4f}"
    assert body["width"] > 0 and body["timings"]["layout"] > 0

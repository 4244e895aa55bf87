"""The Sigmoid/ReLU example pair, compared as the server compares it, against plain torch: every node matched,
the gradient norms and deltas those of torch's own gradients, and the vanishing gradient in numbers."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest
import torch
from tolerance import assert_within_rounding

from app.diff import diff_graphs
from app.examples import SIGMOID_RELU
from app.limits import Limits
from app.models import GraphOptions
from app.runner import run

LAYERS = ["0", "2", "4", "6"]  # the Linear layers of the nn.Sequential


def _graph(program: str) -> dict[str, Any]:
    graph = run(program, GraphOptions(device="cpu"), Limits(), max_chars=20_000, max_lines=2_000)
    return graph.model_dump(mode="json")


def _torch_run(program: str) -> dict[str, Any]:
    """The program's names after plain torch ran it (its model's parameters hold their gradients)."""
    names: dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(program, "example", "exec"), names)  # noqa: S102 - our own example program
    return names


def _torch_grads(program: str) -> dict[str, torch.Tensor]:
    return {name: param.grad for name, param in _torch_run(program)["model"].named_parameters()}


@pytest.fixture(scope="module")
def compared() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    before, after = _graph(SIGMOID_RELU.code), _graph(SIGMOID_RELU.after or "")
    return before, after, diff_graphs(before, after, SIGMOID_RELU.code, SIGMOID_RELU.after)


def test_every_node_matches_and_the_losses_are_torchs(compared: tuple[dict[str, Any], ...]) -> None:
    before, after, diff = compared
    assert len(before["nodes"]) == len(after["nodes"]) == len(diff["matched"]) == 38
    assert diff["added"] == diff["removed"] == []
    for side, program in (("before", SIGMOID_RELU.code), ("after", SIGMOID_RELU.after or "")):
        loss = _torch_run(program)["loss"].item()
        assert_within_rounding(diff[side]["loss"], loss, dtype=torch.float32, terms=64)
    assert abs(diff["before"]["loss"] - 1.0239) < 1e-4 and diff["before"]["loss"] != diff["after"]["loss"]
    assert SIGMOID_RELU.after is not None and SIGMOID_RELU.after.count("nn.ReLU") == 1


def test_gradient_deltas_are_those_of_torchs_gradients(compared: tuple[dict[str, Any], ...]) -> None:
    before, after, diff = compared
    sigmoid, relu = _torch_grads(SIGMOID_RELU.code), _torch_grads(SIGMOID_RELU.after or "")
    labels = {pair["label"]: pair for pair in diff["matched"]}
    for layer in LAYERS:
        name = f"{layer}.weight"
        grad = labels[name]["grad"]
        assert grad["basis"] == "values"
        gap = (relu[name] - sigmoid[name]).abs().max().item()
        scale = max(sigmoid[name].abs().max().item(), relu[name].abs().max().item())
        assert_within_rounding(grad["abs"], gap, dtype=torch.float32, terms=64, scale=scale)
        assert_within_rounding(
            grad["before_norm"], sigmoid[name].norm().item(), dtype=torch.float32, terms=64
        )
        assert_within_rounding(grad["after_norm"], relu[name].norm().item(), dtype=torch.float32, terms=64)
        assert labels[name]["data"]["abs"] == 0.0  # the same seed: the same initial weights in both runs


def test_the_gradient_vanishes_through_sigmoid_and_not_through_relu(
    compared: tuple[dict[str, Any], ...],
) -> None:
    diff = compared[2]
    norms = {pair["label"]: pair["grad"] for pair in diff["matched"] if pair["label"].endswith(".weight")}
    first, last = norms["0.weight"], norms["6.weight"]
    assert first["before_norm"] * 100 < last["before_norm"]  # sigmoid: 0.0016 against 0.33
    assert first["after_norm"] * 10 > last["after_norm"]  # relu: 0.060 against 0.30
    assert first["after_norm"] > 30 * first["before_norm"]  # the first layer learns 37 times faster with relu

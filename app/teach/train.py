"""Train N steps: real torch.optim on the program's parameters, one re-run up to the first backward a step.

Step k re-runs the program with every trainable leaf set to the optimizer's current value, keeps the loss
and the leaves' gradients, and lets the optimizer update. That is exactly plain torch's loop
(zero_grad, forward, backward, step), so the parameters after the last step are the ones torch would have.
For small graphs each step's run is captured too, so the page's slider can show every node at any step.
"""

from __future__ import annotations

import time

import torch

from app.capture import capture as capture_run
from app.capture.encode import encode, json_scalar
from app.capture.records import Capture
from app.graph.backward import node_grads
from app.models import Card, GraphResponse, TensorData, Training, TrainOptions, TrainStep
from app.seeding import manual_seed
from app.teach.cards import card
from app.teach.leaves import leaf_nodes
from app.teach.render import render
from app.teach.rerun import LeafMode, Program, Rerun, rerun, traced

__all__ = ["MAX_SNAPSHOT_VALUES", "train"]

MAX_SNAPSHOT_VALUES = 5_000  # nodes x steps kept for the step slider; beyond it, only the loss curve


def train(
    graph: GraphResponse,
    capture: Capture,
    program: Program,
    options: TrainOptions,
    *,
    seed: int,
    budget_s: float,
) -> None:
    """Fill `graph.training`: the loss per step, per-step snapshots for small graphs, the final parameters."""
    start = rerun(program, {}, seed=seed, backward=False)
    params = [leaf.detach().clone().requires_grad_(True) for leaf in start.leaves]
    optimizer = _optimizer(options, params)
    snapshots = len(graph.nodes) * options.steps <= MAX_SNAPSHOT_VALUES
    training = Training(optimizer=options.optimizer, lr=options.lr)
    deadline = time.monotonic() + budget_s
    for step in range(options.steps):
        if time.monotonic() > deadline:
            _note(training, card("training.stopped", done=step, steps=options.steps))
            break
        values = {number: param.detach() for number, param in enumerate(params)}
        run, record = _step(program, values, seed, capture if snapshots else None)
        if run.root is None or not run.grads:
            _note(training, card("training.no_backward"))
            break
        training.loss.append(json_scalar(float(run.root)))
        training.steps.append(_snapshot(step, run, record, graph))
        _update(optimizer, params, run.grads)
    if not snapshots and training.note_card is None:
        _note(training, card("training.big"))
    training.params = _final(capture, start.leaves, params)
    graph.training = training


def _note(training: Training, note: Card) -> None:
    training.note_card, training.note = note, render(note)


def _optimizer(options: TrainOptions, params: list[torch.Tensor]) -> torch.optim.Optimizer:
    if options.optimizer == "Adam":
        return torch.optim.Adam(params, lr=options.lr)
    return torch.optim.SGD(params, lr=options.lr)


def _step(
    program: Program, values: dict[int, torch.Tensor], seed: int, original: Capture | None
) -> tuple[Rerun, Capture | None]:
    """One run up to the first backward; captured (for the slider) when `original` is given."""
    if original is None:
        return rerun(program, values, seed=seed, backward=True), None
    mode = LeafMode(values, backward=True)
    manual_seed(seed)
    recorded = capture_run(traced(program, mode), limits=original.limits)
    return mode.found, recorded


def _update(
    optimizer: torch.optim.Optimizer, params: list[torch.Tensor], grads: list[torch.Tensor | None]
) -> None:
    for param, grad in zip(params, grads, strict=False):
        param.grad = grad
    optimizer.step()
    optimizer.zero_grad()


def _snapshot(step: int, run: Rerun, record: Capture | None, graph: GraphResponse) -> TrainStep:
    assert run.root is not None
    snapshot = TrainStep(step=step, loss=json_scalar(float(run.root)))
    if record is None:
        return snapshot
    known = {node.id for node in graph.nodes}
    grads = node_grads(record)
    values = [(f"n{r.index}", r.value, grads.get(r.index)) for r in record.values if f"n{r.index}" in known]
    tensors = [t for _, value, grad in values for t in (value, grad) if t is not None]
    encoded = iter(encode(tensors, max_inline=record.limits.max_inline_values))
    for node, value, grad in values:
        if value is not None:
            snapshot.data[node] = next(encoded)
        if grad is not None:
            snapshot.grad[node] = next(encoded)
    return snapshot


def _final(capture: Capture, leaves: list[torch.Tensor], params: list[torch.Tensor]) -> dict[str, TensorData]:
    nodes = leaf_nodes(capture, leaves)
    pairs = [
        (f"n{node}", param.detach()) for node, param in zip(nodes, params, strict=True) if node is not None
    ]
    encoded = encode([tensor for _, tensor in pairs], max_inline=capture.limits.max_inline_values)
    return {node: data for (node, _), data in zip(pairs, encoded, strict=True)}

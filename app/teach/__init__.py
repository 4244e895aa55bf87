"""Teach the chain rule: local derivatives on every edge, gradient check, training runs, gradient health."""

from __future__ import annotations

import logging
import time

from app.capture.records import Capture
from app.errors import GradtraceError
from app.gcpause import collections_paused
from app.limits import Limits
from app.models import Card, GraphOptions, GraphResponse
from app.teach.calls import explain_calls
from app.teach.cards import card
from app.teach.chain import explain_backward
from app.teach.gradcheck import check_gradients
from app.teach.health import gradient_health
from app.teach.names import Names
from app.teach.render import render
from app.teach.rerun import Program
from app.teach.steps import explain_steps
from app.teach.train import train

__all__ = [
    "annotate",
    "check_gradients",
    "enrich",
    "explain_backward",
    "explain_steps",
    "gradient_health",
    "train",
]

log = logging.getLogger(__name__)

GRADCHECK_SHARE = 0.25  # of the run's wall-clock limit, for the gradient check's re-runs
TRAIN_SHARE = 0.4  # and for training's
MIN_RERUNS = 4  # re-runs that must fit in a share before it is worth starting


def annotate(graph: GraphResponse, capture: Capture) -> None:
    """Chain-rule cards on every backward and optimizer step and call, and the gradient-health report.

    Thousands of small objects and no garbage cycles: a full collection amid them would walk every live
    object of the capture (GPT-2 124M's cards took twice as long with the collector on)."""
    with collections_paused():
        names = Names(graph, capture)
        explain_backward(graph, capture, names)
        explain_calls(graph, capture, names)
        explain_steps(graph, capture, names)
        graph.health = gradient_health(graph, capture)


def enrich(
    graph: GraphResponse, capture: Capture, program: Program, options: GraphOptions, limits: Limits
) -> None:
    """Everything issue #7 adds to a response; `program` re-runs the program (seeded with options.seed)."""
    start = time.perf_counter()
    annotate(graph, capture)
    if capture.error is None and capture.backward:
        _rerun_features(graph, capture, program, options, limits)
    graph.timings["teach"] = round((time.perf_counter() - start) * 1000, 3)


def _rerun_features(
    graph: GraphResponse, capture: Capture, program: Program, options: GraphOptions, limits: Limits
) -> None:
    """Gradient check and training, each within its share of the wall clock, or a note why not."""
    run_s = capture.capture_ms / 1000  # a re-run costs about what the captured run did, or less
    try:
        if options.gradcheck:
            budget = limits.wall_seconds * GRADCHECK_SHARE
            if _affordable(graph, "note.gradcheck_skipped", run_s, budget):
                check_gradients(graph, capture, program, seed=options.seed, budget_s=budget)
        if options.train is not None:
            budget = limits.wall_seconds * TRAIN_SHARE
            if _affordable(graph, "note.training_skipped", run_s, budget):
                train(graph, capture, program, options.train, seed=options.seed, budget_s=budget)
    except GradtraceError as error:  # a re-run went past a budget: the graph itself is still good
        log.info("re-runs stopped: %s", error.kind)
        _note(graph, card("note.rerun_stopped", error=str(error)))


def _affordable(graph: GraphResponse, key: str, run_s: float, budget_s: float) -> bool:
    """At least a few re-runs must fit, or the sandbox's wall-clock kill would take the whole response."""
    if run_s * MIN_RERUNS <= budget_s:
        return True
    _note(graph, card(key, ms=round(run_s * 1000), count=MIN_RERUNS, budget=round(budget_s)))
    return False


def _note(graph: GraphResponse, note: Card) -> None:
    graph.note_cards.append(note)
    graph.notes.append(render(note))

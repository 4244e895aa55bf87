"""enrich(): the runner's one call — cards and health always, re-runs on request, failures as notes."""

from __future__ import annotations

from teaching import NEURON, program
from traced import captured

from app.capture import Recorder
from app.errors import LimitExceeded
from app.graph import build_graph
from app.limits import Limits
from app.models import GraphOptions, TrainOptions
from app.teach import enrich


def test_without_options_only_cards_and_health() -> None:
    recorded = captured(NEURON)
    graph = build_graph(recorded)
    enrich(graph, recorded, program(NEURON), GraphOptions(), Limits())
    assert graph.backward[0].formula == "dL/da = −(y/a − (1 − y)/(1 − a)) = −1.0889"
    assert graph.health is not None and graph.health.flags == []
    assert graph.gradcheck == [] and graph.training is None
    assert graph.timings["teach"] >= 0


class _FailingReruns:
    """Re-runs of a captured program that go past a budget (and count how often they were tried)."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self, recorder: Recorder) -> None:
        self.runs += 1
        raise LimitExceeded("torch ops: more than 10")


def test_a_failing_rerun_leaves_the_graph_and_a_note() -> None:
    failing = _FailingReruns()
    recorded = captured(NEURON)
    graph = build_graph(recorded)
    enrich(graph, recorded, failing, GraphOptions(gradcheck=True, train=TrainOptions(steps=3)), Limits())
    assert graph.notes == ["gradient check / training stopped: torch ops: more than 10"]
    assert [(card.key, card.args) for card in graph.note_cards] == [
        ("note.rerun_stopped", {"error": "torch ops: more than 10"})
    ]
    assert graph.gradcheck == [] and graph.training is None
    assert graph.backward[1].formula == (
        "da/dz = σ(z)(1 − σ(z)) = 0.0750; dL/dz = dL/da × da/dz = −1.0889 × 0.0750 = −0.0817"
    )


def test_a_program_that_failed_is_not_rerun() -> None:
    source = NEURON + "raise ValueError('after the backward')\n"
    recorded = captured(source)
    assert recorded.error is not None
    graph = build_graph(recorded)
    failing = _FailingReruns()
    enrich(graph, recorded, failing, GraphOptions(gradcheck=True), Limits())
    assert failing.runs == 0 and graph.gradcheck == []
    assert graph.health is not None


def test_a_slow_program_is_not_rerun() -> None:
    recorded = captured(NEURON)
    recorded.capture_ms = 5_000.0  # as if one run took 5 s
    graph = build_graph(recorded)
    options = GraphOptions(gradcheck=True, train=TrainOptions(steps=3))
    enrich(graph, recorded, program(NEURON), options, Limits(wall_seconds=30))
    too_long = "one run of this program takes 5000 ms, too long to re-run it 4 times within"
    assert graph.notes == [f"gradient check skipped: {too_long} 8 s", f"training skipped: {too_long} 12 s"]
    assert [card.key for card in graph.note_cards] == ["note.gradcheck_skipped", "note.training_skipped"]
    assert graph.note_cards[0].args == {"ms": 5000, "count": 4, "budget": 8}
    assert graph.gradcheck == [] and graph.training is None

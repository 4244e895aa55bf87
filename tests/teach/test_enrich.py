"""enrich(): the runner's one call — cards and health always, re-runs on request, failures as notes."""

from __future__ import annotations

from teaching import neuron

from app.capture import Recorder, capture
from app.errors import LimitExceeded
from app.graph import build_graph
from app.limits import Limits
from app.models import GraphOptions, TrainOptions
from app.teach import enrich


def test_without_options_only_cards_and_health() -> None:
    recorded = capture(neuron, limits=Limits())
    graph = build_graph(recorded)
    enrich(graph, recorded, neuron, GraphOptions(), Limits())
    assert graph.backward[0].formula == "dL/da = −(y/a − (1−y)/(1−a)) = −1.0889"
    assert graph.health is not None and graph.health.flags == []
    assert graph.gradcheck == [] and graph.training is None
    assert graph.timings["teach"] >= 0


def test_a_failing_rerun_leaves_the_graph_and_a_note() -> None:
    runs: list[int] = []

    def program(rec: Recorder) -> None:
        runs.append(1)
        if len(runs) > 1:
            raise LimitExceeded("torch ops: more than 10")
        neuron(rec)

    recorded = capture(program, limits=Limits())
    graph = build_graph(recorded)
    enrich(graph, recorded, program, GraphOptions(gradcheck=True, train=TrainOptions(steps=3)), Limits())
    assert graph.notes == ["gradient check / training stopped: torch ops: more than 10"]
    assert graph.gradcheck == [] and graph.training is None
    assert graph.backward[1].formula == "dL/dz = dL/da × da/dz = −1.0889 × 0.0750 = −0.0817"


def test_a_program_that_failed_is_not_rerun() -> None:
    runs: list[int] = []

    def program(rec: Recorder) -> None:
        runs.append(1)
        neuron(rec)
        raise LimitExceeded("after the backward")

    recorded = capture(program, limits=Limits())
    graph = build_graph(recorded)
    enrich(graph, recorded, program, GraphOptions(gradcheck=True), Limits())
    assert runs == [1] and graph.gradcheck == []
    assert graph.health is not None


def test_a_slow_program_is_not_rerun() -> None:
    recorded = capture(neuron, limits=Limits())
    recorded.capture_ms = 5_000.0  # as if one run took 5 s
    graph = build_graph(recorded)
    options = GraphOptions(gradcheck=True, train=TrainOptions(steps=3))
    enrich(graph, recorded, neuron, options, Limits(wall_seconds=30))
    too_long = "one run of this program takes 5.0 s, too long to re-run it 4 times within"
    assert graph.notes == [f"gradient check skipped: {too_long} 8 s", f"training skipped: {too_long} 12 s"]
    assert graph.gradcheck == [] and graph.training is None

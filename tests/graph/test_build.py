"""build_graph: deterministic ids and JSON, edges with their backward contributions, timeline and outputs."""

from __future__ import annotations

import torch
from traced import captured

from app.graph import build_graph
from app.limits import Limits
from app.models import GraphResponse

NEURON = """\
import torch
import torch.nn.functional as F
x = torch.tensor([1.1])
w = torch.tensor([2.2], requires_grad=True)
a = torch.sigmoid(x * w * 2)
loss = F.mse_loss(a, torch.ones(1))
loss.backward()
"""


def graph_of(source: str, limits: Limits | None = None) -> GraphResponse:
    return build_graph(captured(source, limits))


def test_ids_are_sequential_and_edges_follow_the_data() -> None:
    graph = graph_of(NEURON)
    assert [n.id for n in graph.nodes] == [f"n{i}" for i in range(len(graph.nodes))] == graph.forward
    assert [e.id for e in graph.edges] == [f"e{i}" for i in range(len(graph.edges))]
    label = {n.id: n.label for n in graph.nodes}
    assert [(label[e.source], label[e.target], e.input_index) for e in graph.edges] == [
        ("x", "x * w", 0),
        ("w", "x * w", 1),
        ("x * w", "x * w * 2", 0),
        ("2", "x * w * 2", 1),
        ("x * w * 2", "a", 0),
        ("a", "loss", 0),
        ("torch.ones(1)", "loss", 1),
    ]
    assert [n.kind for n in graph.nodes] == ["input", "param", "op", "const", "op", "op", "input", "output"]


def test_backward_events_point_at_nodes_and_edges_with_their_contributions() -> None:
    graph = graph_of(NEURON)
    nodes = {n.id: n for n in graph.nodes}
    assert [e.step for e in graph.backward] == list(range(len(graph.backward)))
    for event in graph.backward:
        assert nodes[event.node].op == event.op or event.op == "AccumulateGrad"
        assert len(event.edges) == len(event.grad_inputs)
    edges = {e.id: e for e in graph.edges}
    mul_by_w = next(e for e in graph.backward if nodes[e.node].label == "x * w")
    w_edge = edges[mul_by_w.edges[1]]  # type: ignore[index]
    assert nodes[w_edge.source].label == "w" and w_edge.grad == mul_by_w.grad_inputs[1]
    assert nodes[w_edge.source].grad == w_edge.grad  # w's only use: its gradient is this one contribution
    assert mul_by_w.edges[0] is None and mul_by_w.grad_inputs[0] is None  # x needs no gradient


def test_timeline_outputs_limits_and_saved_tensors() -> None:
    graph = graph_of(NEURON)
    phases = [t.phase for t in graph.timeline]
    assert phases == ["forward"] * len(graph.nodes) + ["backward"] * len(graph.backward)
    assert [t.index for t in graph.timeline if t.phase == "backward"] == list(range(len(graph.backward)))
    a = torch.sigmoid(torch.tensor(1.1 * 2.2 * 2))
    assert graph.outputs["loss"] == float((a - 1) ** 2)
    assert graph.limits["max_nodes"] == 5000 and graph.truncated == {"nodes": False, "heatmaps": False}
    sigmoid = next(n for n in graph.nodes if n.label == "a")
    assert [(s.name, s.node) for s in sigmoid.saved] == [("result", sigmoid.id)]
    assert graph.torch == torch.__version__ and set(graph.timings) == {"capture", "encode"}


def test_the_same_program_gives_byte_identical_json_apart_from_timings() -> None:
    seeded = "import torch\ntorch.manual_seed(7)\nw = torch.randn(20, 20, requires_grad=True)\n"
    seeded += "(torch.tanh(w @ w) ** 2).mean().backward()\n"
    first, second = graph_of(seeded), graph_of(seeded)
    first.timings, second.timings = {}, {}
    assert first.model_dump_json() == second.model_dump_json()


def test_a_graph_past_the_node_budget_is_drawn_as_far_as_it_was_recorded() -> None:
    program = "import torch\nx = torch.ones(3)\nfor _ in range(10):\n    x = x * 2\n"
    graph = graph_of(program, Limits(max_nodes=5))  # ones, 2, mul, 2, mul
    assert len(graph.nodes) == 5 and graph.truncated == {"nodes": True, "heatmaps": False}
    assert graph.nodes[-1].data is not None and graph.nodes[-1].data.values == [4.0, 4.0, 4.0]


def test_a_view_of_a_parameter_taken_without_grad_is_not_a_parameter() -> None:
    """Such a view requires grad and has no grad_fn, like a leaf; it is still an op's output."""

    program = "import torch\nw = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\nwith torch.no_grad():\n"
    program += "    first = w[:2]\n(w * 2).sum().backward()\n"
    graph = graph_of(program)
    kinds = {n.label: n.kind for n in graph.nodes}
    assert (kinds["w"], kinds["first"]) == ("param", "op")
    assert sum(n.kind == "param" for n in graph.nodes) == 1

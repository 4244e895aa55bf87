"""finish(): the child's JSON with layout merged in equals laying out the fully validated model."""

from __future__ import annotations

from app.api.service import finish, lay_out
from app.forms import ResolvedProgram
from app.models import Edge, GraphResponse, Group, Node, TensorData

AS_SENT = ResolvedProgram("x = 1\n", generated=False)


def small_graph() -> GraphResponse:
    """x (input) and w (param, in fc) feed a mul; the loss sums it. Values and a NaN gradient included."""
    data = TensorData(shape=[2], dtype="float32", numel=2, values=[1.5, -2.0])
    nan_grad = TensorData(shape=[2], dtype="float32", numel=2, values=["NaN", 0.25])
    nodes = [
        Node(id="n0", kind="input", label="x", shape=[2], data=data),
        Node(id="n1", kind="param", label="fc.weight", shape=[2], group="fc", data=data, grad=nan_grad),
        Node(id="n2", kind="op", label="y", op="MulBackward0", shape=[2], group="fc", data=data),
        Node(id="n3", kind="output", label="loss", op="SumBackward0", shape=[]),
    ]
    edges = [
        Edge(id="e0", source="n0", target="n2", input_index=0, grad=nan_grad),
        Edge(id="e1", source="n1", target="n2", input_index=1),
        Edge(id="e2", source="n2", target="n3", input_index=0),
    ]
    groups = [Group(id="fc", label="fc (Linear)", module="Linear", members=2)]
    return GraphResponse(nodes=nodes, edges=edges, groups=groups, forward=["n2", "n3"], timings={"run": 1.0})


def test_finish_equals_the_validated_layout() -> None:
    graph = small_graph()
    merged = GraphResponse.model_validate_json(finish(graph.model_dump_json().encode(), AS_SENT, True))
    expected = lay_out(graph)
    assert merged.timings.pop("layout") >= 0 and expected.timings.pop("layout") >= 0
    assert merged == expected
    assert merged.nodes[1].grad is not None and merged.nodes[1].grad.values == ["NaN", 0.25]
    assert all(node.w > 0 for node in merged.nodes) and merged.width > 0


def test_finish_without_layout_adds_the_generated_program_only() -> None:
    generated = ResolvedProgram("y = 2\n", notes=("free names x became leaves",))
    sent = small_graph().model_dump_json().encode()
    merged = GraphResponse.model_validate_json(finish(sent, generated, False))
    assert (merged.program, merged.notes) == ("y = 2\n", ["free names x became leaves"])
    assert all(node.w == 0 for node in merged.nodes)

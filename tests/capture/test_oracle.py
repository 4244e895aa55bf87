"""Oracle tests: every captured value and gradient equals what plain torch gives for the same program text,
and the graph is labelled in the program's own words."""

from __future__ import annotations

import math

import pytest
import torch
from capture_oracle import assert_close, run_both, values

LOGISTIC = """\
import torch
import torch.nn.functional as F
x, y = torch.tensor([1.1]), torch.tensor([1.0])
w = torch.tensor([2.2], requires_grad=True)
b = torch.tensor([0.0], requires_grad=True)
z = x * w + b
a = torch.sigmoid(z)
loss = F.binary_cross_entropy(a, y)
loss.backward()
"""


def test_logistic_neuron_matches_the_worked_example() -> None:
    run = run_both(LOGISTIC)
    assert run.graph.outputs == {"loss": pytest.approx(0.0852, abs=5e-5)}
    assert values(run.node("w").grad).item() == pytest.approx(-0.0898, abs=5e-5)
    assert values(run.node("b").grad).item() == pytest.approx(-0.0817, abs=5e-5)
    assert values(run.node("a").grad).item() == pytest.approx(-1.0889, abs=5e-5)
    sigmoid_event = next(e for e in run.graph.backward if e.op == "SigmoidBackward0")
    local = values(sigmoid_event.grad_inputs[0]).item() / values(sigmoid_event.grad_outputs[0]).item()
    assert local == pytest.approx(0.0750, abs=5e-5)  # da/dz
    for name in ("z", "a", "loss"):
        assert_close(run.node(name).data, run.tensor(name))
        assert_close(run.node(name).grad, run.tensor(name).grad)


def test_logistic_neuron_labels_are_the_programs_words_and_the_engine_order_is_torchs() -> None:
    graph = run_both(LOGISTIC).graph
    kinds = {n.label: n.kind for n in graph.nodes}
    assert kinds == {
        "x": "input", "y": "input", "w": "param", "b": "param", "x * w": "op", "z": "op", "a": "op",
        "loss": "output",
    }  # fmt: skip
    fns = {n.label: n.fn for n in graph.nodes}
    written = (fns["x * w"], fns["z"], fns["a"], fns["loss"])
    assert written == ("*", "+", "torch.sigmoid", "F.binary_cross_entropy")
    span = next(n.span for n in graph.nodes if n.label == "x * w")
    assert span is not None and (span.line, span.col, span.end_col) == (6, 4, 9)
    assert [e.op for e in graph.backward] == [
        "BinaryCrossEntropyBackward0", "SigmoidBackward0", "AddBackward0", "AccumulateGrad", "MulBackward0",
        "AccumulateGrad",
    ]  # fmt: skip
    by_id = {n.id: n.label for n in graph.nodes}
    assert [by_id[e.accumulates] for e in graph.backward if e.accumulates] == ["b", "w"]


SIMPLENET = """\
import torch
import torch.nn as nn


class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 5)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(5, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.fc2(self.relu(self.fc1(x))))


torch.manual_seed(0)
net = SimpleNet()
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
x, y = torch.randn(4, 10), torch.rand(4, 1).round()
out = net(x)
loss = nn.BCELoss()(out, y)
optimizer.zero_grad()
loss.backward()
optimizer.step()
"""


def test_mlp_parameters_module_calls_and_sgd_step() -> None:
    run = run_both(SIMPLENET)
    net = run.env["net"]
    assert isinstance(net, torch.nn.Module)
    graph = run.graph
    labels = [n.label for n in graph.nodes if n.kind == "param"]
    assert labels == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    groups = {g.id: g for g in graph.groups}
    assert groups["net"].label == "net (SimpleNet)" and groups["net"].params == 61
    fc1 = next(g for g in graph.groups if g.kind == "call" and g.label == "fc1")
    assert fc1.parent == "net" and fc1.collapsed and fc1.module == "fc1"
    assert [n.fn for n in graph.nodes if n.group == fc1.id] == ["aten.t", "fc1"]  # internals, then result
    for name, param in net.named_parameters():
        node = run.node(name)
        assert node.group == "net"  # beside the call that uses them, not hidden inside it
        assert_close(node.grad, param.grad)
    assert_close(run.node("out").grad, run.tensor("out").grad)
    [step] = graph.optimizer
    assert step.optimizer == "SGD" and step.lr == pytest.approx(0.1)
    update = step.params[0]
    assert update.node == run.node("fc1.weight").id
    assert_close(update.after, net.fc1.weight)
    torch.testing.assert_close(values(update.before) - 0.1 * values(update.grad), values(update.after))
    assert [t.phase for t in graph.timeline][-3:] == ["backward", "backward", "step"]
    assert "zero_grad" in [t.phase for t in graph.timeline]


def test_fan_out_a_plus_a_has_two_edges_each_with_its_contribution() -> None:
    run = run_both("import torch\na = torch.tensor([1.5, -2.0], requires_grad=True)\nb = a + a\n"
                   "c = (b * b).sum()\nc.backward()\n")  # fmt: skip
    graph = run.graph
    a, b = run.node("a"), run.node("b")
    into_b = [e for e in graph.edges if e.target == b.id]
    assert [(e.source, e.input_index) for e in into_b] == [(a.id, 0), (a.id, 1)]
    contributions = [values(e.grad) for e in into_b]
    torch.testing.assert_close(contributions[0], 4 * torch.tensor([1.5, -2.0], dtype=torch.float64))  # dc/db
    torch.testing.assert_close(contributions[0] + contributions[1], values(a.grad))
    assert_close(a.grad, run.tensor("a").grad)
    add_event = next(e for e in graph.backward if e.op == "AddBackward0")
    assert add_event.edges == [into_b[0].id, into_b[1].id]


SOFTMAX_CE = """\
import torch
import torch.nn.functional as F
torch.manual_seed(1)
logits = torch.randn(3, 5, requires_grad=True)
target = torch.tensor([0, 3, 4])
probs = F.softmax(logits * 2, dim=1)
loss = F.cross_entropy(logits, target) + probs.max()
loss.backward()
"""


def test_cross_entropy_is_one_call_with_its_autograd_nodes_inside() -> None:
    run = run_both(SOFTMAX_CE)
    graph = run.graph
    [call] = [g for g in graph.groups if g.kind == "call"]
    assert (call.module, call.label, call.collapsed) == ("F.cross_entropy", "F.cross_entropy(…)", True)
    inside = [n for n in graph.nodes if n.group == call.id]
    assert {n.op for n in inside} >= {"LogSoftmaxBackward0", "NllLossBackward0"}
    assert call.outputs == [next(n.id for n in inside if n.op == "NllLossBackward0")]
    visible = [n for n in graph.nodes if n.group is None]
    labels = {n.label for n in visible}
    assert labels == {"logits", "target", "2", "logits * 2", "probs", "probs.max()", "loss"}
    assert_close(run.node("logits").grad, run.tensor("logits").grad)
    assert_close(run.node("probs").grad, run.tensor("probs").grad)
    assert run.graph.outputs["loss"] == pytest.approx(run.tensor("loss").item())


def test_matmul_broadcast_reshape_transpose_and_integer_ops() -> None:
    run = run_both("""\
import torch
torch.manual_seed(2)
m = torch.randn(4, 3, requires_grad=True)
v = torch.randn(3, requires_grad=True)
h = (m @ v.reshape(3, 1)).T + torch.ones(1, 4)
k = torch.arange(6).reshape(2, 3) @ torch.arange(3).reshape(3, 1)
parts = h.reshape(2, 2).unbind(0)
total = (parts[0] * parts[1]).sum() + k.to(torch.float32).sum()
total.backward()
""")
    for name in ("m", "v", "h"):
        assert_close(run.node(name).grad, run.tensor(name).grad)
    k = run.node("k")
    assert k.dtype == "int64" and k.op is None and k.grad is None and k.kind == "op"
    assert_close(k.data, run.tensor("k"))
    unbound = [n for n in run.graph.nodes if n.op == "UnbindBackward0"]
    assert [n.output_nr for n in unbound] == [0, 1] and [n.label for n in unbound] == ["parts[0]", "parts[1]"]


def training_loop(zero_grad: bool) -> str:
    return f"""\
import torch
torch.manual_seed(3)
w = torch.randn(2, requires_grad=True)
x = torch.tensor([0.5, -1.0])
optimizer = torch.optim.SGD([w], lr=0.5)
for _ in range(3):
    if {zero_grad}:
        optimizer.zero_grad()
    loss = ((w * x).sum() - 1.0) ** 2
    loss.backward()
    optimizer.step()
"""


@pytest.mark.parametrize("zero_grad", [True, False])
def test_training_loop_accumulates_exactly_as_torch(zero_grad: bool) -> None:
    graph = run_both(training_loop(zero_grad)).graph
    torch.manual_seed(3)  # replay in plain torch to get each pass's grad
    w = torch.randn(2, requires_grad=True)
    x = torch.tensor([0.5, -1.0])
    expected = []
    for _ in range(3):
        if zero_grad:
            w.grad = None
        (((w * x).sum() - 1.0) ** 2).backward()
        assert w.grad is not None
        expected.append(w.grad.clone())
        with torch.no_grad():
            w -= 0.5 * w.grad
    assert len(graph.optimizer) == 3
    for step, grad in zip(graph.optimizer, expected, strict=True):
        assert_close(step.params[0].grad, grad)
    params = [n for n in graph.nodes if n.label == "w"]
    assert len(params) == 3 and {n.kind for n in params} == {"param"}  # a version of w per step
    for node, grad in zip(params, expected, strict=True):
        assert_close(node.grad, grad)  # each pass's gradient, not the one the next pass added into
    assert_close(params[0].data, values(graph.optimizer[0].params[0].before))
    assert [e.pass_index for e in graph.backward if e.op == "AccumulateGrad"] == [0, 1, 2]
    phases = [t.phase for t in graph.timeline if t.phase != "forward"]
    assert phases.count("step") == 3 and phases.count("zero_grad") == (3 if zero_grad else 0)
    assert_close(params[-1].data, w.detach() + 0.5 * expected[-1])


def test_sqrt_at_zero_gives_infinite_gradients_as_strings() -> None:
    run = run_both("import torch\nt = torch.tensor([0.0, 4.0], requires_grad=True)\ns = torch.sqrt(t).sum()\n"
                   "s.backward()\n")  # fmt: skip
    grad = run.node("t").grad
    assert grad is not None and grad.values == ["Infinity", 0.25]
    assert grad.stats is not None and grad.stats.inf == 1
    assert math.isinf(run.tensor("t").grad[0].item())  # type: ignore[index]


def test_fan_in_contributions_stay_separate_when_the_engine_sums_them() -> None:
    run = run_both("import torch\nx = torch.tensor([0.3, 1.2], requires_grad=True)\nh = x * 3\n"
                   "y = (h.sin() + h.cos()).sum()\ny.backward()\n")  # fmt: skip
    h = run.node("h")
    label = {n.id: n.label for n in run.graph.nodes}
    out_of_h = {label[e.target]: e for e in run.graph.edges if e.source == h.id}
    value = run.tensor("h").detach()
    assert_close(out_of_h["h.sin()"].grad, value.cos())
    assert_close(out_of_h["h.cos()"].grad, -value.sin())
    assert_close(h.grad, value.cos() - value.sin())

"""Oracle tests: every captured value and gradient equals what plain torch gives for the same program."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from capture_oracle import assert_close, run_both, values
from torch import nn

from app.capture import Recorder


def logistic_neuron(rec: Recorder) -> None:
    rec.at(1, 0, 1, 20)
    x, y = torch.tensor([1.1]), torch.tensor([1.0])
    rec.name(x, "x")
    rec.name(y, "y")
    w = torch.tensor([2.2], requires_grad=True)
    rec.name(w, "w")
    b = torch.tensor([0.0], requires_grad=True)
    rec.name(b, "b")
    rec.at(2, 0, 2, 14)
    z = x * w + b
    rec.name(z, "z")
    rec.at(3, 0, 3, 20)
    a = torch.sigmoid(z)
    rec.name(a, "a")
    rec.at(4, 0, 4, 40)
    loss = F.binary_cross_entropy(a, y)
    rec.name(loss, "loss")
    rec.at(5, 0, 5, 15)
    loss.backward()


def test_logistic_neuron_matches_the_worked_example() -> None:
    run = run_both(logistic_neuron)
    assert run.capture.error is None
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


def test_logistic_neuron_kinds_ops_spans_and_engine_order() -> None:
    graph = run_both(logistic_neuron).graph
    kinds = {n.label: n.kind for n in graph.nodes}
    assert kinds == {
        "x": "input",
        "y": "input",
        "w": "param",
        "b": "param",
        "mul": "op",
        "z": "op",
        "a": "op",
        "loss": "output",
    }
    ops = {n.label: n.op for n in graph.nodes}
    assert ops["a"] == "SigmoidBackward0" and ops["loss"] == "BinaryCrossEntropyBackward0"
    assert graph.nodes[-1].span is not None and graph.nodes[-1].span.line == 4
    assert [e.op for e in graph.backward] == [
        "BinaryCrossEntropyBackward0",
        "SigmoidBackward0",
        "AddBackward0",
        "AccumulateGrad",
        "MulBackward0",
        "AccumulateGrad",
    ]
    accumulated = [e.accumulates for e in graph.backward if e.op == "AccumulateGrad"]
    by_id = {n.id: n.label for n in graph.nodes}
    assert [by_id[a] for a in accumulated if a] == ["b", "w"]


class SimpleNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(10, 5)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(5, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.sigmoid(self.fc2(self.relu(self.fc1(x))))


def mlp_with_step(rec: Recorder) -> None:
    torch.manual_seed(0)
    with rec.quiet():
        net = SimpleNet()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    rec.name(net, "net")
    x, y = torch.randn(4, 10), torch.rand(4, 1).round()
    rec.name(x, "x")
    rec.name(y, "y")
    out = net(x)
    rec.name(out, "out")
    loss = nn.BCELoss()(out, y)
    rec.name(loss, "loss")
    optimizer.zero_grad()
    rec.zero_grad()
    loss.backward()
    optimizer.step()


def test_mlp_parameters_groups_and_sgd_step() -> None:
    run = run_both(mlp_with_step)
    net = run.env["net"]
    assert isinstance(net, SimpleNet)
    graph = run.graph
    labels = [n.label for n in graph.nodes if n.kind == "param"]
    assert labels == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    for name, param in net.named_parameters():
        node = run.node(name)
        assert node.group == name.split(".")[0]
        assert_close(node.grad, param.grad)
    groups = {g.id: g for g in graph.groups}
    assert groups["fc1"].label == "fc1 (Linear)" and groups["fc1"].parent == "net"
    assert groups["net"].params == 61 and groups["fc1"].params == 55
    assert_close(run.node("out").grad, run.tensor("out").grad)
    [step] = graph.optimizer
    assert step.optimizer == "SGD" and step.lr == pytest.approx(0.1)
    update = step.params[0]
    assert update.node == run.node("fc1.weight").id
    assert_close(update.after, net.fc1.weight)
    torch.testing.assert_close(
        values(update.before) - 0.1 * values(update.grad), values(update.after).double()
    )
    assert [t.phase for t in graph.timeline][-3:] == ["backward", "backward", "step"]
    assert "zero_grad" in [t.phase for t in graph.timeline]


def fan_out(rec: Recorder) -> None:
    a = torch.tensor([1.5, -2.0], requires_grad=True)
    rec.name(a, "a")
    b = a + a
    rec.name(b, "b")
    c = (b * b).sum()
    rec.name(c, "c")
    c.backward()


def test_fan_out_shows_each_contribution_and_their_sum() -> None:
    run = run_both(fan_out)
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


def softmax_cross_entropy(rec: Recorder) -> None:
    torch.manual_seed(1)
    logits = torch.randn(3, 5, requires_grad=True)
    rec.name(logits, "logits")
    target = torch.tensor([0, 3, 4])
    rec.name(target, "target")
    probs = F.softmax(logits * 2, dim=1)
    rec.name(probs, "probs")
    loss = F.cross_entropy(logits, target) + probs.max()
    rec.name(loss, "loss")
    loss.backward()


def test_softmax_and_cross_entropy_expose_their_inner_autograd_nodes() -> None:
    run = run_both(softmax_cross_entropy)
    ops = [n.op for n in run.graph.nodes]
    assert "LogSoftmaxBackward0" in ops and "NllLossBackward0" in ops and "SoftmaxBackward0" in ops
    assert_close(run.node("logits").grad, run.tensor("logits").grad)
    assert_close(run.node("probs").grad, run.tensor("probs").grad)
    assert run.graph.outputs["loss"] == pytest.approx(run.tensor("loss").item())
    const = next(n for n in run.graph.nodes if n.kind == "const")
    assert const.label == "2" and values(const.data).item() == 2


def shapes_chain(rec: Recorder) -> None:
    torch.manual_seed(2)
    m = torch.randn(4, 3, requires_grad=True)
    rec.name(m, "m")
    v = torch.randn(3, requires_grad=True)
    rec.name(v, "v")
    h = (m @ v.reshape(3, 1)).T + torch.ones(1, 4)
    rec.name(h, "h")
    k = torch.arange(6).reshape(2, 3) @ torch.arange(3).reshape(3, 1)
    rec.name(k, "k")
    parts = h.reshape(2, 2).unbind(0)
    total = (parts[0] * parts[1]).sum() + k.to(torch.float32).sum()
    rec.name(total, "total")
    total.backward()


def test_matmul_broadcast_reshape_transpose_and_integer_ops() -> None:
    run = run_both(shapes_chain)
    for name in ("m", "v", "h"):
        assert_close(run.node(name).grad, run.tensor(name).grad)
    k = run.node("k")
    assert k.dtype == "int64" and k.op is None and k.grad is None and k.kind == "op"
    assert_close(k.data, run.tensor("k"))
    unbound = [n for n in run.graph.nodes if n.op == "UnbindBackward0"]
    assert [n.output_nr for n in unbound] == [0, 1]
    fns = {n.fn for n in run.graph.nodes}
    assert {"aten.mm", "aten.permute", "aten.arange", "aten.view", "aten.unbind"} <= fns


def training_loop(zero_grad: bool):  # noqa: ANN201 - returns a program
    def program(rec: Recorder) -> None:
        torch.manual_seed(3)
        w = torch.randn(2, requires_grad=True)
        rec.name(w, "w")
        x = torch.tensor([0.5, -1.0])
        with rec.quiet():
            optimizer = torch.optim.SGD([w], lr=0.5)
        for _ in range(3):
            if zero_grad:
                optimizer.zero_grad()
                rec.zero_grad()
            loss = ((w * x).sum() - 1.0) ** 2
            rec.name(loss, "loss")
            loss.backward()
            optimizer.step()

    return program


@pytest.mark.parametrize("zero_grad", [True, False])
def test_training_loop_accumulates_exactly_as_torch(zero_grad: bool) -> None:
    run = run_both(training_loop(zero_grad))
    graph = run.graph
    reference = torch.randn(2)  # replay in plain torch to get each pass's grad
    torch.manual_seed(3)
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
    assert reference.shape == (2,)
    assert len(graph.optimizer) == 3
    for step, grad in zip(graph.optimizer, expected, strict=True):
        assert_close(step.params[0].grad, grad)
    params = [n for n in graph.nodes if n.label == "w"]
    assert len(params) == 3  # one node per version of w (each optimizer step makes a new one)
    for node, grad in zip(params, expected, strict=True):
        assert_close(node.grad, grad)
    assert_close(params[0].data, graph_value_before(graph, 0))
    assert [e.pass_index for e in graph.backward if e.op == "AccumulateGrad"] == [0, 1, 2]
    phases = [t.phase for t in graph.timeline if t.phase != "forward"]
    assert phases.count("step") == 3 and phases.count("zero_grad") == (3 if zero_grad else 0)
    assert_close(params[-1].data, w.detach() + 0.5 * expected[-1])


def graph_value_before(graph, step: int) -> torch.Tensor:  # noqa: ANN001
    return values(graph.optimizer[step].params[0].before)


def test_sqrt_at_zero_gives_infinite_gradients_as_strings() -> None:
    def program(rec: Recorder) -> None:
        t = torch.tensor([0.0, 4.0], requires_grad=True)
        rec.name(t, "t")
        s = torch.sqrt(t).sum()
        rec.name(s, "s")
        s.backward()

    run = run_both(program)
    grad = run.node("t").grad
    assert grad is not None and grad.values == ["Infinity", 0.25]
    assert grad.stats is not None and grad.stats.inf == 1
    assert math.isinf(run.tensor("t").grad[0].item())  # type: ignore[index]


def test_fan_in_contributions_stay_separate_when_the_engine_sums_them() -> None:
    def program(rec: Recorder) -> None:
        x = torch.tensor([0.3, 1.2], requires_grad=True)
        rec.name(x, "x")
        h = x * 3
        rec.name(h, "h")
        y = (h.sin() + h.cos()).sum()
        rec.name(y, "y")
        y.backward()

    run = run_both(program)
    h = run.node("h")
    out_of_h = {
        next(n.label for n in run.graph.nodes if n.id == e.target): e
        for e in run.graph.edges
        if e.source == h.id
    }
    value = run.tensor("h").detach()
    assert_close(out_of_h["sin"].grad, value.cos())
    assert_close(out_of_h["cos"].grad, -value.sin())
    assert_close(h.grad, value.cos() - value.sin())

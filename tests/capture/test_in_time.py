"""Values in time: every value and gradient the graph shows is what the program had at that moment, and
uninitialised memory is never shown (issue 17, item 2)."""

from __future__ import annotations

import torch
from capture_oracle import values
from traced import graph_of, node


def test_a_gradient_zeroed_after_its_pass_keeps_the_value_of_that_pass() -> None:
    graph = graph_of("""\
import torch
x = torch.arange(4.0, requires_grad=True)
y = 2 * torch.dot(x, x)
y.backward()
print(x.grad)
x.grad.zero_()
y = x.sum()
y.backward()
print(x.grad)
""")
    assert graph.stdout == "tensor([ 0.,  4.,  8., 12.])\ntensor([1., 1., 1., 1.])\n"
    first, second = (e for e in graph.backward if e.op == "AccumulateGrad")
    assert values(first.grad_outputs[0]).tolist() == [0, 4, 8, 12]  # not the zeros written after the pass
    assert values(second.grad_outputs[0]).tolist() == [1, 1, 1, 1]
    assert values(node(graph, "x").grad).tolist() == [1, 1, 1, 1]  # .grad as torch holds it at the end


def test_data_updates_in_a_manual_sgd_loop_keep_the_parameter_and_its_values_per_step() -> None:
    graph = graph_of("""\
import torch
x = torch.tensor([1.0, 2.0, 3.0])
y = torch.tensor([2.0, 4.0, 6.0])
w = torch.tensor(0.5, requires_grad=True)
for step in range(3):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    w.data -= 0.05 * w.grad
    w.grad.zero_()
""")
    w_nodes = [n for n in graph.nodes if n.label == "w"]
    assert {n.kind for n in w_nodes} == {"param"}  # a .data write never turns w into an input
    plain_w, seen = 0.5, []
    for _ in range(3):
        seen.append(plain_w)
        grad = sum(2 * (plain_w * xi - yi) * xi for xi, yi in [(1, 2), (2, 4), (3, 6)]) / 3
        plain_w -= 0.05 * grad
    seen.append(plain_w)
    shown = [float(values(n.data)) for n in w_nodes]
    assert [round(v, 5) for v in dict.fromkeys(round(v, 5) for v in shown)] == [round(v, 5) for v in seen]
    accumulated = [float(values(e.grad_outputs[0])) for e in graph.backward if e.op == "AccumulateGrad"]
    expected = [sum(2 * (w * xi - yi) * xi for xi, yi in [(1, 2), (2, 4), (3, 6)]) / 3 for w in seen[:3]]
    assert [round(g, 4) for g in accumulated] == [round(g, 4) for g in expected]  # none zeroed afterwards


def test_swapping_data_keeps_the_nodes_identity_and_its_old_value() -> None:
    graph = graph_of("import torch\nw = torch.ones(2, requires_grad=True)\nh = w * 3\nw.data = w.data * 2\n"
                     "g = w * 3\n")  # fmt: skip
    first, second = (n for n in graph.nodes if n.label == "w")
    assert (first.kind, second.kind) == ("param", "param")
    assert values(first.data).tolist() == [1, 1] and values(second.data).tolist() == [2, 2]
    assert values(node(graph, "h").data).tolist() == [3, 3]
    assert values(node(graph, "g").data).tolist() == [6, 6]


def test_uninitialised_memory_is_never_shown() -> None:
    graph = graph_of("import torch\ne = torch.empty(3)\ne.fill_(2.0)\nf = torch.empty(2, 2)\n")
    empty, filled, other = (n for n in graph.nodes if n.kind != "const")
    assert (empty.uninitialised, empty.data) == (True, None) and other.uninitialised and other.data is None
    assert (filled.uninitialised, values(filled.data).tolist()) == (False, [2.0, 2.0, 2.0])


def test_dropout_shows_its_mask_and_result_and_never_uninitialised_values() -> None:
    source = """\
import torch
import torch.nn as nn
torch.manual_seed(0)
drop = nn.Dropout(0.5)
x = torch.ones(2, 4, requires_grad=True)
y = drop(x)
y.sum().backward()
"""
    graph = graph_of(source)
    torch.manual_seed(0)
    plain = torch.nn.Dropout(0.5)(torch.ones(2, 4))
    assert values(node(graph, "y").data).tolist() == plain.tolist()
    for shown in graph.nodes:
        assert shown.uninitialised == (shown.data is None)
        if shown.data is not None and shown.data.stats is not None:
            assert shown.data.stats.nan == 0
    [call] = [g for g in graph.groups if g.kind == "call"]
    assert call.label == "drop" and any(n.uninitialised for n in graph.nodes if n.group == call.id)


def test_printing_a_gradient_or_a_value_adds_no_node() -> None:
    quiet = graph_of("import torch\nw = torch.ones(2, requires_grad=True)\n(w * 2).sum().backward()\n")
    printed = graph_of("import torch\nw = torch.ones(2, requires_grad=True)\n(w * 2).sum().backward()\n"
                       "print(w.grad)\nprint(f'{w.sum():.3f}', w.grad.mean().item())\n")  # fmt: skip
    added = [n.label for n in printed.nodes[len(quiet.nodes) :]]
    assert added == ["w.sum()", "w.grad", "w.grad.mean()"]  # the program's own ops; printing adds none
    assert not any(n.fn and "clone" in n.fn for n in printed.nodes)
    assert node(printed, "w.grad").kind == "input"

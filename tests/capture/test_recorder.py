"""What the capture records of a real program: names, calls, versions in time, quiet construction, the node
budget and the recording window."""

from __future__ import annotations

import torch
from torch import nn
from traced import captured, graph_of

from app.capture.session import Session
from app.limits import Limits


def test_names_label_fresh_results_and_an_alias_keeps_the_first_name() -> None:
    result = captured("import torch\nx = torch.ones(2)\nz = x * 3 + 1\nalias = z\n")
    assert [(r.label, r.fn) for r in result.values] == [
        ("x", "aten.ones"), ("3", None), (None, "aten.mul"), ("1", None), ("z", "aten.add"),
    ]  # fmt: skip
    mul = result.values[2]
    assert mul.span == (3, 4, 3, 9) and result.values[4].span == (3, 4, 3, 13)  # `x * 3`, `x * 3 + 1`


def test_construction_makes_no_nodes_and_a_library_module_is_one_call() -> None:
    source = "import torch\nimport torch.nn as nn\nlayer = nn.Linear(3, 2)\ny = layer(torch.ones(1, 3))\n"
    result = captured(source)
    assert [r.fn for r in result.values] == ["aten.ones", None, "aten.t", None, "aten.addmm"]
    assert [r.label for r in result.values if r.kind == "leaf"] == ["layer.weight", "layer.bias"]
    call = result.calls[result.values[-1].call or 0]
    assert (call.module, call.text) == ("layer", "layer(torch.ones(1, 3))")
    assert call.outputs == [4] and call.values == [2, 4]  # the transposed weight is its internal
    assert result.values[-1].label == "y"


def test_in_place_ops_make_versions_that_keep_their_own_values() -> None:
    source = "import torch\nh = torch.zeros(3)\nh += 2\n"
    source += "h.masked_fill_(torch.tensor([True, False, False]), 7.0)\n"
    result = captured(source)
    versions = [r for r in result.values if r.tensor is result.values[0].tensor]
    assert [r.fn for r in versions] == ["aten.zeros", "aten.add_", "aten.masked_fill_"]
    assert [r.value.tolist() for r in versions if r.value is not None] == [[0, 0, 0], [2, 2, 2], [7, 2, 2]]
    assert versions[1].inputs[0] == versions[0].index and versions[2].inputs[0] == versions[1].index


def test_multi_output_ops_give_one_named_node_per_output() -> None:
    source = "import torch\nt = torch.tensor([[1.0, 5.0], [4.0, 2.0]], requires_grad=True)\n"
    source += "best, where = t.max(dim=1)\nbest.sum().backward()\n"
    values = captured(source).values
    best, where = (next(r for r in values if r.label == name) for name in ("best", "where"))
    assert (best.output_nr, where.output_nr) == (0, 1) and best.inputs == where.inputs
    assert where.value is not None and where.value.tolist() == [1, 0] and where.grad_fn is None
    assert best.grad_fn is not None and best.grad_fn.name() == "MaxBackward0"


def test_an_error_keeps_everything_recorded_before_it() -> None:
    result = captured("import torch\na = torch.ones(2, 3)\nb = a @ torch.ones(2, 3)\n")
    assert result.error is not None and "mat1 and mat2" in str(result.error)
    assert getattr(result.error, "line", None) == 3
    assert [r.label for r in result.values] == ["a", None]


def test_past_the_node_budget_recording_stops_and_the_program_runs_on() -> None:
    source = "import torch\nx = torch.ones(1)\nfor _ in range(10):\n    x = x + 1\nprint(int(x))\n"
    result = captured(source, Limits(max_nodes=5))
    assert result.error is None and result.nodes_truncated
    assert len(result.values) == 5


def test_before_any_backward_no_gradient_is_recorded() -> None:
    result = captured("import torch\nw = torch.ones(2, requires_grad=True)\n(w * 2).sum()\n")
    assert result.backward == [] and all(r.grad is None for r in result.values)


def test_a_parameter_wrapping_a_fresh_tensor_is_one_node() -> None:
    source = "import torch\nimport torch.nn as nn\nw = nn.Parameter(torch.randn(3))\nq = torch.ones(3)\n"
    source += "(w * q).sum().backward()\n"
    values = captured(source).values
    first_two = [(r.label, r.fn, r.kind) for r in values[:2]]
    assert first_two == [("w", "aten.randn", "op"), ("q", "aten.ones", "op")]
    assert isinstance(values[0].tensor, nn.Parameter) and values[0].grad is not None


def test_a_weight_transposed_under_no_grad_is_an_op_on_the_leaf() -> None:
    source = "import torch\nimport torch.nn as nn\nfc = nn.Linear(3, 2)\nwith torch.no_grad():\n"
    source += "    y = fc(torch.ones(1, 3))\n"
    values = captured(source).values
    transpose = next(r for r in values if r.fn == "aten.t")
    weight = values[transpose.inputs[0]]
    assert (transpose.kind, transpose.grad_fn, weight.kind, weight.label) == ("op", None, "leaf", "fc.weight")
    assert transpose.tensor is not None and transpose.tensor.requires_grad


def test_a_record_rebound_to_a_wrapper_no_longer_answers_for_the_wrapped_tensor() -> None:
    """The id of the tensor a Parameter wrapped may be reused by a new tensor once it is freed; the map by id
    must not hand that new tensor the parameter's record (it renamed `w` to `q` in about 1 run of 8)."""
    session = Session(Limits())
    fresh = torch.randn(3)
    record = session.add("op", fresh, fn="aten.randn")
    session.resolve_pending()
    wrapper = nn.Parameter(fresh)
    session._rebind(record, wrapper)
    assert session.latest(wrapper) is record
    assert session.latest(fresh) is None


def test_the_window_keeps_the_first_and_last_passes_and_every_loss() -> None:
    source = "import torch\nw = torch.tensor(1.0, requires_grad=True)\nfor step in range(10):\n"
    source += "    loss = (w * 3 - 2) ** 2\n    loss.backward()\n    with torch.no_grad():\n"
    source += "        w -= 0.01 * w.grad\n    w.grad = None\n"
    result = captured(source, Limits(max_passes_kept=4))
    assert [p.index for p in result.passes if p.kept] == [0, 1, 8, 9] and len(result.passes) == 10
    dropped = [r for r in result.values if r.dropped]
    assert dropped and all(2 <= r.segment <= 7 for r in dropped)
    kept = [r for r in result.values if not r.dropped]
    assert all(not result.values[i].dropped for r in kept for i in r.inputs)  # no edge into what was dropped
    w_versions = [r for r in kept if r.label == "w"]
    assert len(w_versions) <= 2 * 4 + 1  # two per kept pass, and the one the dropped steps handed on
    assert {e.pass_index for e in result.backward if not e.dropped} == {0, 1, 8, 9}
    w = 1.0
    for index, recorded in enumerate(result.passes):  # plain Python's numbers, pass by pass
        assert recorded.loss is not None and abs(recorded.loss - (w * 3 - 2) ** 2) < 1e-6, index
        w -= 0.01 * 2 * (w * 3 - 2) * 3


def test_a_second_backward_through_a_freed_graph_records_each_node_once() -> None:
    """Without saved tensors torch lets a freed graph run again; its nodes' hooks of the first pass are gone
    with it, so the second pass is recorded once, not twice."""
    graph = graph_of(
        "import torch\nw = torch.tensor([2.0, 3.0], requires_grad=True)\ny = (w + 1).sum()\n"
        "y.backward()\ny.backward()\n"
    )
    ops = ["SumBackward0", "AddBackward0", "AccumulateGrad"]
    assert [(event.pass_index, event.op) for event in graph.backward] == [(0, op) for op in ops] + [
        (1, op) for op in ops
    ]

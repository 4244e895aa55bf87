"""The Recorder contract: names, spans, quiet sections, in-place versions, partial captures and limits."""

from __future__ import annotations

import torch
from torch import nn

from app.capture import Recorder, capture
from app.capture.session import Session
from app.errors import LimitExceeded
from app.limits import Limits


def labels(program, limits: Limits | None = None) -> list[str | None]:  # noqa: ANN001
    return [r.label for r in capture(program, limits=limits or Limits()).values]


def test_a_fresh_result_takes_the_latest_name_and_older_values_keep_their_first() -> None:
    def program(rec: Recorder) -> None:
        rec.at(1, 0, 1, 9)
        x = torch.ones(2)
        rec.name(x, "x")
        rec.at(2, 0, 2, 9)
        z = x * 3 + 1
        rec.name(z, "z")
        rec.at(3, 0, 3, 5)
        rec.name(z, "alias")

    result = capture(program, limits=Limits())
    assert [r.label for r in result.values] == ["x", "3", None, "1", "z"]
    assert [r.span for r in result.values] == [(1, 0, 1, 9)] + [(2, 0, 2, 9)] * 4


def test_quiet_sections_make_no_nodes_and_modules_label_their_parameters() -> None:
    def program(rec: Recorder) -> None:
        with rec.quiet():
            layer = nn.Linear(3, 2)
            str(torch.ones(2) * 2)
        rec.name(layer, "layer")
        layer(torch.ones(1, 3)).sum().item()

    result = capture(program, limits=Limits())
    assert [r.fn for r in result.values] == ["aten.ones", None, "aten.t", None, "aten.addmm", "aten.sum"]
    assert [r.label for r in result.values if r.kind == "leaf"] == ["layer.weight", "layer.bias"]
    assert {r.group for r in result.values if r.fn == "aten.addmm"} == {"layer"}
    assert list(result.modules) == ["layer"]


def test_in_place_ops_make_a_new_version_and_the_old_one_keeps_its_value() -> None:
    def program(rec: Recorder) -> None:
        h = torch.zeros(3)
        rec.name(h, "h")
        h += 2
        h.masked_fill_(torch.tensor([True, False, False]), 7.0)

    values = capture(program, limits=Limits()).values
    versions = [r for r in values if r.tensor is values[0].tensor]
    assert [r.fn for r in versions] == ["aten.zeros", "aten.add_", "aten.masked_fill_"]
    assert [r.value.tolist() for r in versions if r.value is not None] == [[0, 0, 0], [2, 2, 2], [7, 2, 2]]
    assert versions[1].inputs[0] == versions[0].index and versions[2].inputs[0] == versions[1].index


def test_multi_output_ops_give_one_node_per_output() -> None:
    def program(rec: Recorder) -> None:
        t = torch.tensor([[1.0, 5.0], [4.0, 2.0]], requires_grad=True)
        best, where = t.max(dim=1)
        rec.name(best, "best")
        rec.name(where, "where")
        best.sum().backward()

    values = capture(program, limits=Limits()).values
    best, where = (next(r for r in values if r.label == name) for name in ("best", "where"))
    assert (best.output_nr, where.output_nr) == (0, 1) and best.inputs == where.inputs
    assert where.value is not None and where.value.tolist() == [1, 0] and where.grad_fn is None
    assert best.grad_fn is not None and best.grad_fn.name() == "MaxBackward0"


def test_an_error_keeps_everything_recorded_before_it() -> None:
    def program(rec: Recorder) -> None:
        a = torch.ones(2, 3)
        rec.name(a, "a")
        a @ torch.ones(2, 3)  # shapes do not match

    result = capture(program, limits=Limits())
    assert isinstance(result.error, RuntimeError) and "mat1 and mat2" in str(result.error)
    assert [r.label for r in result.values] == ["a", None]


def test_the_node_budget_stops_the_run_with_limit_exceeded() -> None:
    def program(rec: Recorder) -> None:
        x = torch.ones(1)
        for _ in range(10):
            x = x + 1

    result = capture(program, limits=Limits(max_nodes=5))
    assert isinstance(result.error, LimitExceeded)
    assert "max_nodes=5" in str(result.error) and len(result.values) == 5


def test_before_any_backward_no_gradient_is_recorded() -> None:
    def program(rec: Recorder) -> None:
        w = torch.ones(2, requires_grad=True)
        (w * 2).sum()

    result = capture(program, limits=Limits())
    assert result.backward == [] and all(r.grad is None for r in result.values)


def test_a_parameter_wrapping_a_fresh_tensor_is_one_node_and_named_tensors_always_get_one() -> None:
    def program(rec: Recorder) -> None:
        w = nn.Parameter(torch.randn(3))
        rec.name(w, "w")
        with rec.quiet():
            q = torch.ones(3)
        rec.name(q, "q")
        (w * q).sum().backward()

    values = capture(program, limits=Limits()).values
    assert [(r.label, r.fn, r.kind) for r in values[:2]] == [("w", "aten.randn", "op"), ("q", None, "leaf")]
    assert isinstance(values[0].tensor, nn.Parameter) and values[0].grad is not None


def test_ops_of_a_module_outside_every_named_tree_belong_to_no_group() -> None:
    def program(rec: Recorder) -> None:
        with rec.quiet():
            net = nn.Sequential(nn.Linear(2, 2))
        rec.name(net, "net")
        for _ in range(2):
            nn.Tanh()(net(torch.ones(1, 2)))

    values = capture(program, limits=Limits()).values
    assert [(r.fn, r.group) for r in values if r.fn in ("aten.addmm", "aten.tanh")] == [
        ("aten.addmm", "0"),
        ("aten.tanh", None),
        ("aten.addmm", "0"),
        ("aten.tanh", None),
    ]


def test_a_weight_transposed_under_no_grad_is_an_op_on_the_leaf() -> None:
    fc = nn.Linear(3, 2)

    def program(rec: Recorder) -> None:
        rec.name(fc, "fc")
        with torch.no_grad():
            fc(torch.ones(1, 3))

    values = capture(program, limits=Limits()).values
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

"""Statistics taken ahead on a spare core (app/capture/ahead.py) are used only while they still hold: the
tensor alive, over the same memory, and that memory unwritten since. Big tensors (over SEGMENT_MAX elements)
are the ones taken ahead."""

from __future__ import annotations

import functools
import gc
import math

import pytest
import torch
from traced import graph_of, node

from app.capture import ahead, session
from app.capture.ahead import StatsAhead
from app.capture.reductions import SEGMENT_MAX, stats_row
from app.capture.snapshots import Snapshots
from app.models import Stats, TensorData

BIG = (300, 300)  # 90,000 elements: over SEGMENT_MAX
assert math.prod(BIG) > SEGMENT_MAX


@pytest.fixture
def spare(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every capture takes statistics ahead, also on a machine without a core to spare."""
    monkeypatch.setattr(session, "StatsAhead", functools.partial(StatsAhead, spare=True))


def taken(tensor: torch.Tensor) -> tuple[StatsAhead, Snapshots]:
    snapshots = Snapshots()
    early = StatsAhead(snapshots, spare=True)
    early.submit(tensor)
    return early, snapshots


def test_a_row_taken_ahead_is_the_tensors_statistics_also_through_a_transposed_view() -> None:
    weight = torch.randn(BIG)
    early, _ = taken(weight)
    row = early.row(weight)
    assert row is not None
    assert torch.equal(row, stats_row(weight))
    assert torch.equal(early.row(weight.t()), row)  # the same memory: `w.t()` shares `w`'s statistics


def test_a_counted_write_after_the_submission_voids_the_row() -> None:
    weight = torch.randn(BIG)
    early, snapshots = taken(weight)
    snapshots.before_write(weight)  # what the recording modes do before `weight.mul_(2)`
    weight.mul_(2)
    assert early.row(weight) is None


def test_memory_freed_and_taken_again_is_never_answered_from_the_old_tensor() -> None:
    early, _ = taken(torch.randn(BIG))  # the submitted tensor dies at once
    gc.collect()
    again = torch.zeros(BIG)  # may well sit where the first one was
    assert early.row(again) is None


def test_a_tensor_pointed_at_other_memory_is_no_longer_the_source() -> None:
    weight = torch.randn(BIG)
    early, _ = taken(weight)
    old = weight.data
    weight.data = torch.zeros(BIG)
    assert early.row(old) is None  # the submitted object no longer holds that memory


def test_small_tensors_without_a_spare_core_and_beyond_the_budget_are_not_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small = torch.randn(SEGMENT_MAX)
    early, _ = taken(small)
    assert early.row(small) is None  # the batched reduction of small tensors is cheaper
    big = torch.randn(BIG)
    idle = StatsAhead(Snapshots(), spare=False)
    idle.submit(big)
    assert idle.row(big) is None
    monkeypatch.setattr(ahead, "AHEAD_ELEMENTS", math.prod(BIG) + 1)
    early = StatsAhead(Snapshots(), spare=True)
    first, second = torch.randn(BIG), torch.randn(BIG)
    early.submit(first)
    early.submit(second)
    assert early.row(first) is not None and early.row(second) is None


def assert_stats(data: TensorData | None, expected: torch.Tensor) -> None:
    assert data is not None and data.stats is not None
    stats: Stats = data.stats
    wide = expected.double()
    for shown, exact in [(stats.mean, wide.mean()), (stats.norm, wide.norm()), (stats.max, wide.max())]:
        assert isinstance(shown, float)
        assert shown == pytest.approx(float(exact), rel=1e-5, abs=1e-9)


@pytest.mark.usefixtures("spare")
def test_a_gradient_zeroed_and_accumulated_again_shows_each_pass_as_it_was() -> None:
    graph = graph_of("""\
import torch
torch.manual_seed(0)
w = torch.randn(300, 300, requires_grad=True)
(w * w).sum().backward()
w.grad.zero_()
(3 * w).sum().backward()
""")
    torch.manual_seed(0)
    w = torch.randn(BIG)
    first, second = (e for e in graph.backward if e.op == "AccumulateGrad")
    assert_stats(first.grad_outputs[0], 2 * w)
    assert_stats(second.grad_outputs[0], torch.full(BIG, 3.0))
    assert_stats(node(graph, "w").grad, torch.full(BIG, 3.0))  # the first pass's .grad memory, rewritten


@pytest.mark.usefixtures("spare")
def test_a_parameter_an_optimizer_updated_shows_its_new_values_when_used_again() -> None:
    graph = graph_of("""\
import torch
torch.manual_seed(0)
layer = torch.nn.Linear(300, 300, bias=False)
opt = torch.optim.SGD(layer.parameters(), lr=0.5)
x = torch.ones(1, 300)
loss = layer(x).sum()
loss.backward()
opt.step()
again = layer(x).sum()
""")
    torch.manual_seed(0)
    layer = torch.nn.Linear(300, 300, bias=False)
    before = layer.weight.detach().clone()
    after = before - 0.5 * torch.ones(BIG)  # d(sum(W x))/dW = 1 for x of ones
    weights = [n for n in graph.nodes if n.label == "layer.weight"]
    assert len(weights) == 2
    assert_stats(weights[0].data, before)
    assert_stats(weights[1].data, after)

"""Every card of every built-in example, checked: its arithmetic adds up, its value is the gradient autograd
sent, no line repeats, no shape stands where numbers belong; NaN and ±Inf are always shown."""

from __future__ import annotations

import pytest
import torch
from card_checks import BARE_SHAPE, check_arithmetic, formula_key, numbers, shows, unwrap
from teaching import event_of, lines, traced

from app.examples import example
from app.models import GraphResponse
from app.teach.render import render

SMALL = ["logistic", "tensors", "simplenet", "fanout", "softmax_ce"]  # cards write their numbers out
EXAMPLES = [*SMALL, "gpt2_block", "gpt2_mini"]  # (gpt2_124m: the same cards, too slow for a test)


@pytest.fixture(scope="module", params=EXAMPLES)
def named_graph(request: pytest.FixtureRequest) -> tuple[str, GraphResponse]:
    return request.param, traced(example(request.param).code)[1]


def test_every_card_adds_up_and_shows_what_autograd_sent(named_graph: tuple[str, GraphResponse]) -> None:
    name, graph = named_graph
    checked = 0
    for event in graph.backward:
        english = lines(event.cards)
        assert len(set(english)) == len(english), english  # no card repeats a line
        assert event.formula == ("; ".join(english) or None)
        for line in english + lines(event.call_cards):
            assert not BARE_SHAPE.search(line), line
        for card in [*event.cards, *event.call_cards]:
            checked += check_arithmetic(card)
        for card in event.cards:
            key, line = formula_key(card), unwrap(card)
            if key.startswith("chain.") and line.key.startswith("step."):
                assert any(shows(line, data) for data in event.grad_inputs), render(card)
            elif key.startswith("local.") and line.key.startswith("step."):
                assert any(shows(line, data) for data in event.local), render(card)
            elif card.key.startswith("fanout.") or card.key == "grad.first":
                assert any(shows(card, data) for data in event.grad_outputs), render(card)
    for step in graph.optimizer:
        for update in step.params:
            assert update.card is not None and update.formula == render(update.card)
            checked += check_arithmetic(update.card)
    assert checked > 0 or name not in SMALL


def test_the_fan_out_example_sums_to_the_gradients_torch_computed() -> None:
    graph = traced(example("fanout").code)[1]
    a = torch.tensor(2.0, requires_grad=True)  # the example, in plain torch
    b = a + a
    c = b * b
    d = c * a + b
    e = d.tanh() + d * 0.5
    for value in (b, c, d):
        value.retain_grad()
    (e - a).backward()
    oracle = {"a": a.grad, "b": b.grad, "d": d.grad}
    labels = {node.id: node.label for node in graph.nodes}
    sums = {
        labels[event.node]: card
        for event in graph.backward
        for card in event.cards
        if card.key == "fanout.sum"
    }
    assert set(sums) == {"a", "b", "d"}
    for name, card in sums.items():
        expected = oracle[name]
        assert expected is not None
        assert float(numbers(card.args["value"])) == pytest.approx(float(expected), rel=1e-6)
        assert float(sum(numbers(t) for t in card.args["terms"])) == pytest.approx(float(expected), rel=1e-6)  # type: ignore[union-attr]
    assert render(sums["a"]) == "dL/da = −1.0000 + 8.0000 + 8.5000 + 8.5000 = 24.0000 (a is used 4 times)"


def test_nan_and_infinity_are_shown_and_statistics_say_what_they_skip() -> None:
    source = """\
import torch
x = torch.linspace(0, 1, 10, requires_grad=True)
y = torch.log(x)
y.sum().backward()
s = torch.tensor(0.0, requires_grad=True)
(s * torch.log(s)).backward()
"""
    graph = traced(source)[1]
    log = event_of(graph, "LogBackward0")
    finite = 1 / torch.linspace(0, 1, 10)[1:]  # the statistics are of the 9 finite ones
    stats = (
        f"[10] with 0 NaN and 1 ±∞; its finite elements: μ = {finite.mean():.4f}, ‖·‖ = {finite.norm():.4f}"
    )
    assert lines(log.cards) == [f"dy/dx = 1/x = {stats}", f"dL/dx = dL/dy ⊙ dy/dx = {stats}"]
    scalar = event_of(graph, "LogBackward0", pass_index=1)
    assert lines(scalar.cards) == [
        "d(torch.log(s))/ds = 1/s = ∞",
        "dL/ds = dL/d(torch.log(s)) × d(torch.log(s))/ds = 0.0000 × ∞ = NaN",
    ]


def test_softmax_card_is_the_jacobian_product_not_the_probabilities() -> None:
    source = """\
import torch
z = torch.tensor([1.0, 2.0, 0.5], requires_grad=True)
p = torch.softmax(z, dim=0)
(p * torch.tensor([1.0, -1.0, 2.0])).sum().backward()
"""
    graph = traced(source)[1]
    z = torch.tensor([1.0, 2.0, 0.5], requires_grad=True)
    p = torch.softmax(z, dim=0)
    (p * torch.tensor([1.0, -1.0, 2.0])).sum().backward()
    assert z.grad is not None
    (card,) = event_of(graph, "SoftmaxBackward0").cards
    assert render(card).startswith("dL/dz = p ⊙ (dL/dp − Σⱼ pⱼ · dL/dpⱼ) = [")
    torch.testing.assert_close(numbers(card.args["value"]).float(), z.grad)
    assert not torch.allclose(numbers(card.args["value"]).float(), p.detach())


def test_attention_products_name_both_inputs() -> None:
    graph = traced(example("gpt2_mini").code)[1]
    att_v, q_k = [event for event in graph.backward if event.op == "BmmBackward0"][:2]  # the last block's
    assert [line.split(" = ")[0] for line in lines(q_k.cards)] == ["dL/dq", "dL/d(k.transpose(-2, -1))"]
    assert [line.split(" = ")[0] for line in lines(att_v.cards)] == ["dL/ddrop", "dL/dv"]
    assert "for each of the 8 matrices" in lines(q_k.cards)[0]  # batch 2 × 4 heads

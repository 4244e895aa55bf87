"""The chain rule of a call as a whole (issue 17): for a call group (`F.linear`, `nn.LayerNorm`,
`F.cross_entropy`, `q @ k.transpose(-2, -1)`), from the gradient at its output to each of its inputs, with
numbers. Set on the event where the gradient reaches the call's output (`BackwardEvent.call_cards`).

The call's kind is read from the aten ops inside it, its inputs from the edges that enter it; the numbers
are what its internals sent along those edges, added up. A card whose arithmetic is written out is
checked first: a card never shows numbers that do not add up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from app.capture.encode import encode
from app.capture.records import BackwardRecord, Capture
from app.models import BackwardEvent, Card, GraphResponse, Group, TensorData
from app.teach.cards import INLINE, Arg, card, value_arg, with_value
from app.teach.chain import kept_records
from app.teach.names import Names, transposed
from app.teach.operands import saved_attribute, small

__all__ = ["explain_calls"]

log = logging.getLogger(__name__)

_RTOL, _ATOL = 1e-4, 1e-6  # written-out arithmetic must hold to float32 rounding
_CROSS_ENTROPY = frozenset({"aten._log_softmax", "aten.nll_loss_forward"})  # no weights, no label smoothing
_MEAN, _SUM = 1, 2  # torch's reduction enum


@dataclass
class _Input:
    """One input of the call: what flowed into it and what the call sent back to it in this pass."""

    index: int  # value record
    name: str
    consumers: set[str]  # aten ops of the call that read it ("aten.t", "aten.addmm")
    grads: list[tuple[torch.Tensor, TensorData | None]] = field(default_factory=list)

    def value(self, capture: Capture) -> torch.Tensor:
        tensor = capture.values[self.index].value
        return torch.zeros(()) if tensor is None else tensor.detach()

    def grad(self) -> torch.Tensor | None:
        if not self.grads:
            return None
        total = self.grads[0][0].detach()
        for tensor, _ in self.grads[1:]:
            total = total + tensor.detach()
        return total

    def grad_arg(self) -> Arg:
        """The contribution's numbers, or its statistics (encoded here when the call added several up)."""
        total = self.grad()
        if total is None:
            return None
        data = self.grads[0][1] if len(self.grads) == 1 else encode([total], max_inline=0)[0]
        return value_arg(total, data)


@dataclass
class _Call:
    """One call group in one backward pass."""

    group: Group
    members: set[int]  # its value records
    inputs: list[_Input]  # in the order the call first read them
    out: str  # the output's name
    up: torch.Tensor  # dL/d(output)
    root: bool


Explainer = Callable[[_Call, Capture], list[Card]]
Claim = Callable[[], torch.Tensor]  # what a card's written-out arithmetic gives


@dataclass(frozen=True)
class _Plan:
    """A call group this module explains."""

    group: Group
    members: set[int]
    output: int
    explain: Explainer


def explain_calls(graph: GraphResponse, capture: Capture, names: Names) -> None:
    """`call_cards` and `call` on the event that starts each explained call group, pass by pass (one walk
    over the events for all groups: GPT-2 124M has a hundred of them)."""
    records = kept_records(graph, capture)
    if records is None:
        return
    plans = _plans(graph, capture)
    by_output = {plan.output: plan for plan in plans}
    by_member = {member: plan for plan in plans for member in plan.members}
    source_of = {edge.id: int(edge.source[1:]) for edge in graph.edges}
    running: dict[str, tuple[int, dict[int, _Input]]] = {}  # group id -> (pass, its inputs)
    started: list[tuple[BackwardEvent, _Call, _Plan]] = []
    for event, record in zip(graph.backward, records, strict=True):
        node = int(event.node[1:])
        plan = by_output.get(node)
        if plan is not None and record.grad_outputs and record.grad_outputs[0] is not None:
            inputs = _inputs(capture, names, plan.members)
            root = capture.values[node].is_root
            call = _Call(plan.group, plan.members, list(inputs.values()), names.result(node, root=root),
                         record.grad_outputs[0], root)  # fmt: skip
            running[plan.group.id] = (event.pass_index, inputs)
            started.append((event, call, plan))
        member = by_member.get(node)
        current = running.get(member.group.id) if member is not None else None
        if current is not None and current[0] == event.pass_index:
            _arrived(event, record, source_of, current[1])
    for event, call, plan in started:
        event.call_cards = _explained(plan, call, capture)
        event.call = plan.group.id if event.call_cards else None


def _explained(plan: _Plan, call: _Call, capture: Capture) -> list[Card]:
    """The call's cards; a shape or dtype its rule does not expect leaves it without (and the response
    whole)."""
    try:
        with torch.no_grad():
            return plan.explain(call, capture)
    except (RuntimeError, IndexError, ValueError, TypeError) as error:
        log.debug("no card for the call %s: %s", plan.group.id, error)
        return []


def _plans(graph: GraphResponse, capture: Capture) -> list[_Plan]:
    members: dict[str, set[int]] = {}
    for node in graph.nodes:
        if node.group is not None:
            members.setdefault(node.group, set()).add(int(node.id[1:]))
    plans: list[_Plan] = []
    for group in graph.groups:
        inside = members.get(group.id, set())
        if group.kind != "call" or len(group.outputs) != 1 or not inside:
            continue
        explain = _explainer({capture.values[i].fn or "" for i in inside})
        if explain is not None:
            plans.append(_Plan(group, inside, int(group.outputs[0][1:]), explain))
    return plans


def _explainer(fns: set[str]) -> Explainer | None:
    if "aten.native_layer_norm" in fns:
        return _layer_norm
    if fns == _CROSS_ENTROPY:
        return _cross_entropy
    if "aten.t" in fns and fns & {"aten.addmm", "aten.mm"}:
        return _linear
    if fns & {"aten.bmm", "aten.mm"}:
        return _matmul
    return None


def _inputs(capture: Capture, names: Names, inside: set[int]) -> dict[int, _Input]:
    """The values from outside the call that its ops read, in order of first use."""
    inputs: dict[int, _Input] = {}
    for index in sorted(inside):
        record = capture.values[index]
        for source in record.inputs:
            if source not in inside and capture.values[source].kind != "const":
                item = inputs.setdefault(source, _Input(source, names.value(source), set()))
                item.consumers.add(record.fn or "")
    return inputs


def _arrived(
    event: BackwardEvent, record: BackwardRecord, source_of: dict[str, int], inputs: dict[int, _Input]
) -> None:
    for position, edge in enumerate(event.edges):
        grad = record.grad_inputs[position] if position < len(record.grad_inputs) else None
        source = source_of.get(edge) if edge is not None else None
        if grad is not None and source in inputs:
            inputs[source].grads.append((grad, event.grad_inputs[position]))


def _holds(claimed: torch.Tensor, actual: torch.Tensor | None) -> bool:
    """The arithmetic a card writes out equals what autograd sent."""
    if actual is None or claimed.numel() != actual.numel():
        return False
    return torch.allclose(claimed.to(actual.dtype).reshape(actual.shape), actual, rtol=_RTOL, atol=_ATOL)


def _line(formula: Card, work: Card | None, claimed: Claim | None, item: _Input) -> list[Card]:
    """One card: with its arithmetic when that is small and holds, without when it is big (no product of
    GPT-2's 50257-row head is computed twice); none when the written-out arithmetic would not give what
    autograd sent (a call this rule does not describe)."""
    value = item.grad_arg()
    if value is None:
        return []
    if work is not None and claimed is not None and not _holds(claimed(), item.grad()):
        return []
    return [with_value(formula, work, value)]


# ------------------------------------------------------------ the kinds of call


def _linear(call: _Call, capture: Capture) -> list[Card]:
    """y = x·Wᵀ + b: dL/dx = dL/dy·W, dL/dW = (dL/dy)ᵀ·x, dL/db = Σ over rows of dL/dy."""
    weight = next((item for item in call.inputs if "aten.t" in item.consumers), None)
    product = next(
        (i for i in sorted(call.members) if capture.values[i].fn in ("aten.addmm", "aten.mm")), None
    )
    if weight is None or product is None:
        return []
    added = capture.values[product].inputs[0] if capture.values[product].fn == "aten.addmm" else None
    bias = next((item for item in call.inputs if item.index == added), None)
    x = next((item for item in call.inputs if item is not weight and item is not bias), None)
    w = weight.value(capture)
    up = call.up.detach().reshape(-1, w.shape[0])
    cards: list[Card] = []
    if x is not None:
        rows = x.value(capture).reshape(-1, w.shape[1]).to(up.dtype)
        names = {"x": x.name, "y": call.out, "weight": weight.name}
        cards += _line(card("call.linear.input", **names), _product(up, w), lambda: up @ w.to(up.dtype), x)
        cards += _line(card("call.linear.weight", **names), _product(up.T, rows), lambda: up.T @ rows, weight)
    if bias is not None:
        cards += _line(card("call.linear.bias", bias=bias.name, y=call.out), None, None, bias)
    return cards


def _matmul(call: _Call, capture: Capture) -> list[Card]:
    """y = a @ b (batched or not): dL/da = dL/dy · bᵀ, dL/db = aᵀ · dL/dy."""
    if len(call.inputs) != 2:
        return []
    a, b = call.inputs
    left, right, up = a.value(capture), b.value(capture), call.up.detach()
    if min(left.dim(), right.dim(), up.dim()) < 2:  # a vector's product (torch.matmul(x, w), x 1-D)
        return []
    names = {"a": a.name, "b": b.name, "at": transposed(a.name), "bt": transposed(b.name), "y": call.out}
    batched = up.dim() > 2
    count = up.numel() // max(up.shape[-1] * up.shape[-2], 1) if batched else 1
    keys = ("chain.bmm.left", "chain.bmm.right") if batched else ("chain.mm.left", "chain.mm.right")
    extra = {"count": count} if batched else {}
    return [
        *_line(
            card(keys[0], **names, **extra), _product(up, right.mT), lambda: up @ right.mT.to(up.dtype), a
        ),
        *_line(card(keys[1], **names, **extra), _product(left.mT, up), lambda: left.mT.to(up.dtype) @ up, b),
    ]


def _layer_norm(call: _Call, capture: Capture) -> list[Card]:
    """The three formulas of native_layer_norm's backward, at the call's level."""
    x, weight, bias = (call.inputs + [None, None, None])[:3]
    cards: list[Card] = []
    if x is not None and weight is not None:
        cards += _line(
            card("chain.layer_norm.input", x=x.name, weight=weight.name, y=call.out), None, None, x
        )
        cards += _line(card("chain.layer_norm.weight", weight=weight.name, y=call.out), None, None, weight)
    if bias is not None:
        cards += _line(card("chain.layer_norm.bias", bias=bias.name, y=call.out), None, None, bias)
    return cards


def _cross_entropy(call: _Call, capture: Capture) -> list[Card]:
    """loss = cross_entropy(x, target): dL/dx = (softmax(x) − one-hot(target)) / N for the mean, without
    the / N for the sum; only for the loss itself, without class weights, label smoothing or ignored rows
    (the call is then exactly log_softmax and nll_loss, and its nll_loss saw no ignored target)."""
    nll = capture.values[int(call.group.outputs[0][1:])].grad_fn
    if nll is None or not call.root or len(call.inputs) != 2 or float(call.up.reshape(-1)[0]) != 1.0:
        return []
    x, target = call.inputs
    logits, classes = x.value(capture), target.value(capture)
    reduction = saved_attribute(nll, "reduction", _MEAN)
    ignored = saved_attribute(nll, "ignore_index", -100)
    if (
        logits.dim() != 2
        or classes.dim() != 1
        or classes.is_floating_point()
        or reduction not in (_MEAN, _SUM)
    ):
        return []
    if isinstance(ignored, int) and bool((classes == ignored).any()):
        return []
    count = len(classes) if reduction == _MEAN else 1
    names = {"x": x.name, "target": target.name}
    formula = (
        card("call.cross_entropy", **names, count=count)
        if count > 1
        else card("call.cross_entropy.sum", **names)
    )
    if logits.numel() > INLINE:
        return _line(formula, None, None, x)
    p = torch.softmax(logits, dim=1)
    onehot = torch.nn.functional.one_hot(classes.long(), logits.shape[1]).to(p.dtype)
    if count > 1:
        work = _written("work.cross_entropy", p=p, onehot=onehot, count=count)
    else:
        work = _written("work.cross_entropy.sum", p=p, onehot=onehot)
    return _line(formula, work, lambda: (p - onehot) / count, x)


def _written(key: str, *, count: int | None = None, **tensors: torch.Tensor) -> Card | None:
    """A card of arithmetic on tensors, when every one of them is small enough to write out."""
    args = {name: small(tensor) for name, tensor in tensors.items()}
    if any(arg is None for arg in args.values()):
        return None
    return card(key, **args) if count is None else card(key, **args, count=count)


def _product(a: torch.Tensor, b: torch.Tensor) -> Card | None:
    return _written("work.product", a=a, b=b)

"""The program's calls in the graph: labels in the program's words, and a collapsible group per call whose
implementation is more than its results.

A call whose aten ops are exactly the values it returned (`torch.sigmoid(z)`, `x * w`, `q, k, v =
x.split(...)`) needs no box of its own: its nodes are the call, labelled with the variable names or the
source text. A call with internals (`F.cross_entropy`: log_softmax, nll_loss and its total_weight;
`nn.LayerNorm`: mean and rstd; `nn.Linear` on 3-D input: view, t, mm, view) becomes a group of kind `call`,
collapsed by default, drawn as one box showing its output; expanding it shows the autograd nodes inside.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.capture.calls import call_text
from app.capture.records import CallRecord, Capture, ValueRecord

__all__ = ["CallView", "call_views", "node_labels"]

_CALL_KINDS = frozenset({"op"})  # leaves and Python scalar operands are never a call's internals


@dataclass
class CallView:
    """How one call appears: its label, its output records and whether it is a group (`c<index>`)."""

    call: CallRecord
    label: str
    outputs: list[int]
    members: list[int]

    @property
    def group_id(self) -> str:
        return f"c{self.call.index}"

    @property
    def is_group(self) -> bool:
        return len(self.members) > len(self.outputs)


def call_views(capture: Capture) -> dict[int, CallView]:
    """By call index: the calls that made at least one node still in the graph."""
    values = capture.values
    views: dict[int, CallView] = {}
    for call in capture.calls:
        members = [i for i in call.values if not values[i].dropped and values[i].kind in _CALL_KINDS]
        if not members:
            continue
        outputs = [i for i in call.outputs if i in members] or [members[-1]]
        views[call.index] = CallView(call, _label(call, [values[i] for i in outputs]), outputs, members)
    return views


def _label(call: CallRecord, outputs: list[ValueRecord]) -> str:
    """A module call by its path (`drop`, `blocks.0.ln_1`); else the variable its result was assigned to,
    else its source text (short) or the function."""
    if call.module is not None:
        return call_text(call)
    named = [record.label for record in outputs if record.label is not None]
    if named and len(outputs) == 1:
        return named[0]
    if named and len(named) == len(outputs):
        return ", ".join(named)
    return call_text(call)


def node_labels(capture: Capture, views: dict[int, CallView]) -> dict[int, str]:
    """Every kept record's label: its variable name; for a call's output the call's words; for a call's
    internals the aten op's name (`log_softmax`), seen only when the call is expanded."""
    labels: dict[int, str] = {}
    for record in capture.values:
        if record.dropped:
            continue
        view = views.get(record.call) if record.call is not None else None
        if record.label is not None:
            labels[record.index] = record.label
        elif view is not None and record.index in view.outputs:
            labels[record.index] = _output_label(view, record)
        else:
            labels[record.index] = _op_label(record)
    return labels


def _output_label(view: CallView, record: ValueRecord) -> str:
    if len(view.outputs) > 1:
        return f"{call_text(view.call)}[{view.outputs.index(record.index)}]"
    return call_text(view.call)


def _op_label(record: ValueRecord) -> str:
    if record.fn is not None:
        return record.fn.rpartition(".")[2].strip("_") or record.fn
    if record.grad_fn is not None:
        return record.grad_fn.name().rpartition("::")[2].removesuffix("0").removesuffix("Backward")
    return "tensor"

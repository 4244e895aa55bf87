"""POST /values in the sandbox child: re-run the program under capture, answer one page of one node's numbers.

The re-run is the graph's own path up to the capture (same checks, seed, dtype and device, so the same node
ids); it skips what a page of numbers does not need: encoding every tensor, teaching extras and layout.
"""

from __future__ import annotations

from app.capture import Capture, capture
from app.errors import GradtraceError, InternalError, InvalidRequest
from app.graph.lookup import Found, find_tensor
from app.graph.slices import page_of
from app.limits import Limits
from app.models import GraphOptions, ValuesQuery, ValuesResponse
from app.program import compile_program
from app.runner import Execution, resolve_device, torch_state

__all__ = ["node_values"]


def node_values(
    program: str, options: GraphOptions, limits: Limits, query: ValuesQuery, *, max_chars: int, max_lines: int
) -> ValuesResponse:
    """The page `query` asks for, from a fresh run of `program`; errors name the node and what is wrong."""
    compiled = compile_program(program, max_chars=max_chars, max_lines=max_lines)
    device = resolve_device(options.device)
    with torch_state(options, device):
        recorded = capture(Execution(compiled, limits), limits=limits, source=compiled.source)
        found = _find(recorded, query)
        values = page_of(found.tensor, query.offset, query.limit)
    return ValuesResponse.model_construct(
        node=query.node,
        label=found.label,
        field=query.field,
        shape=list(found.tensor.shape),
        dtype=str(found.tensor.dtype).removeprefix("torch."),
        numel=found.tensor.numel(),
        offset=query.offset,
        values=values,
    )


def _find(recorded: Capture, query: ValuesQuery) -> Found:
    """The tensor; where the program failed before making it, the program's own error says why."""
    try:
        return find_tensor(recorded, query)
    except InvalidRequest:
        if recorded.error is None:
            raise
        if isinstance(recorded.error, GradtraceError):
            raise recorded.error from None
        raise InternalError(f"the run failed unexpectedly ({type(recorded.error).__name__})") from None

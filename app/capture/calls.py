"""Which operation of the program is running: the program-level calls the default graph view is made of.

A torch function mode sees each outermost torch call (its own inner calls are invisible to it); the program's
frame says where it was written. Rules, in order:
- inside a library module's forward that made no module calls of its own (nn.Linear, nn.LayerNorm), every op
  belongs to that module's call (opened by the module hooks, app/capture/hooks.py);
- a call made while a library constructor runs outside any forward (`nn.Linear(3, 4)` initialising its
  weights) is quiet: no nodes;
- a call the program makes directly (`torch.sigmoid(z)`, `x * w`, `att.softmax(-1)`, `F.relu(...)`) is a call
  of its own, labelled from its source text;
- calls a library function makes for the program (`clip_grad_norm_(...)`, a distribution's `log_prob`) are
  one call per activation of that function;
- calls a library container module makes itself (a TransformerEncoderLayer's residual adds) are one call each,
  named by the function.
"""

from __future__ import annotations

import dis
import re
import sys
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from app.capture.records import CallRecord, SpanTuple
from app.capture.session import Session
from app.program import PROGRAM_FILE, frame_span

__all__ = [
    "QUIET", "attribute_call", "call_text", "constructing", "func_name", "open_module_call",
]  # fmt: skip

QUIET = object()  # the call makes no nodes
_OURS = str(Path(__file__).resolve().parents[1])  # gradtrace's own code (the recording modes, the teaching)
# torch's own plumbing between a program's call and the function mode: never "library code" of their own
_PLUMBING = (
    "torch/overrides.py", "torch/_tensor.py", "torch/utils/_device.py", "torch/_jit_internal.py",
    "torch/_compile.py", "torch/utils/_contextlib.py", "torch/autograd/grad_mode.py",
)  # fmt: skip
_OPERATORS = {
    "add": "+", "__add__": "+", "__radd__": "+", "__iadd__": "+=", "add_": "+=", "sub": "-", "__sub__": "-",
    "__rsub__": "-", "__isub__": "-=", "sub_": "-=", "mul": "*", "__mul__": "*", "__rmul__": "*",
    "__imul__": "*=", "mul_": "*=", "div": "/", "true_divide": "/", "__truediv__": "/", "__rtruediv__": "/",
    "__itruediv__": "/=", "div_": "/=", "matmul": "@", "__matmul__": "@", "__rmatmul__": "@", "pow": "**",
    "__pow__": "**", "__rpow__": "**", "floor_divide": "//", "__floordiv__": "//", "remainder": "%",
    "__mod__": "%", "neg": "-", "__neg__": "-", "__getitem__": "[]", "__setitem__": "[]=", "eq": "==",
    "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "__and__": "&", "__or__": "|", "__xor__": "^",
    "__invert__": "~", "bitwise_not": "~", "logical_not": "not",
}  # fmt: skip
_CACHE = dis.opmap.get("CACHE", 0)
_DOTTED = re.compile(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*")
_LABEL_CHARS = 24
_OPERATOR_FNS = frozenset("+-*/@%&|^~<>=[]")
_NESTING = {")": 1, "(": -1}  # what each character does to the parenthesis depth, read right to left


def attribute_call(session: Session, func: Any, name: str) -> CallRecord | object | None:
    """The call record the torch call `func` (named `name`) belongs to (new or reused), QUIET, or None:
    the running one."""
    running = session.call
    if running is not None and running.module is not None and not _is_container(session, running):
        return None  # inside a library leaf module: its call already runs
    frame = _program_frame()
    if frame is None:
        return None
    between = _frames_between(frame)
    in_library_forward = bool(session.module_stack) and _innermost_module_is_library(session)
    if not session.module_stack and _in_constructor(between):
        return QUIET
    session.entered(frame)
    span = frame_span(frame)
    if in_library_forward:
        return _new_call(session, name, None, span)
    entry = _library_entry(func, between)
    if entry is None:
        text = session.source.text(span)
        return _new_call(session, _written(name, text, frame), text, span)
    if session.merge is not None and session.merge[0] is entry:
        return session.merge[1]
    text = session.source.text(span)
    call = _new_call(session, _written(name, text, frame), text, span)
    session.merge = (entry, call)
    return call


def open_module_call(session: Session, module: Any, path: str | None) -> CallRecord:
    """A library module's forward as one call of the program, named by its path (`fc1`, `blocks.0.ln_1`)."""
    frame = _program_frame()
    span = frame_span(frame) if frame is not None else None
    if frame is not None:
        session.entered(frame)
    call = _new_call(session, path or type(module).__name__, session.source.text(span), span)
    call.module = path or type(module).__name__
    return call


def constructing() -> bool:
    """Whether library code is constructing something for the program right now (`nn.Linear(3, 4)`
    initialising its weights): such work is no operation of the program's."""
    frame = _program_frame()
    return frame is not None and _in_constructor(_frames_between(frame))


def _in_constructor(between: list[FrameType]) -> bool:
    return any(frame.f_code.co_name == "__init__" for frame in between)


def call_text(call: CallRecord) -> str:
    """The call's label when no variable names its value: short source text, else the function."""
    if call.module is not None:
        return _within(call.module, call.group)
    text = call.text
    if text is not None and "\n" not in text and len(text) <= _LABEL_CHARS:
        return text
    if text is not None and text.endswith(")") and not _OPERATOR_FNS.intersection(call.fn):
        return f"{call.fn}(…)"  # F.cross_entropy(…)
    return " ".join((text or call.fn).split())[: _LABEL_CHARS - 1] + "…"  # (q @ k.transpose(-2, -1…


def _within(path: str, group: str | None) -> str:
    """A module's path as seen inside its parent's frame: `c_attn` in `blocks.0.attn`, `layers.0`."""
    if group is None or not path.startswith(group + "."):
        return path
    tail = path[len(group) + 1 :]
    parent = group.rpartition(".")[2]
    return f"{parent}.{tail}" if tail.isdigit() else tail


def _new_call(session: Session, fn: str, text: str | None, span: SpanTuple | None) -> CallRecord:
    call = CallRecord(
        index=len(session.capture.calls),
        fn=fn,
        text=text,
        span=span,
        group=session.current_group(),
    )
    session.capture.calls.append(call)
    return call


def _program_frame() -> FrameType | None:
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename != PROGRAM_FILE:
        frame = frame.f_back
    return frame


def _frames_between(program: FrameType) -> list[FrameType]:
    """Frames from the program's (exclusive) down to the torch call (gradtrace's own left out), outermost
    first."""
    frames: list[FrameType] = []
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame is not program:
        if not frame.f_code.co_filename.startswith(_OURS):
            frames.append(frame)
        frame = frame.f_back
    frames.reverse()
    return frames


def _library_entry(func: Any, between: list[FrameType]) -> FrameType | None:
    """The library function the program called, when it is not `func` itself or torch's plumbing."""
    own = _code_of(func)
    for frame in between:
        code = frame.f_code
        if code is own or code.co_filename.endswith(_PLUMBING) or code.co_filename.startswith("<"):
            continue
        return between[0]
    return None


def _code_of(func: Any) -> CodeType | None:
    for candidate in (func, getattr(func, "__func__", None), getattr(func, "__wrapped__", None)):
        code = getattr(candidate, "__code__", None)
        if isinstance(code, CodeType):
            return code
    return None


def _innermost_module_is_library(session: Session) -> bool:
    return bool(session.module_kinds) and session.module_kinds[-1] == "library"


def _is_container(session: Session, call: CallRecord) -> bool:
    return call.index in session.containers


def func_name(func: Any) -> str:
    """A torch function's own name, operators as their symbol (`mul` -> `*`)."""
    name = getattr(func, "__name__", None) or type(func).__name__
    return _OPERATORS.get(name, name)


def _opening(text: str) -> int:
    """Where the parenthesis that the text's final `)` closes opens."""
    depth = 0
    for position in range(len(text) - 1, -1, -1):
        depth += _NESTING.get(text[position], 0)
        if depth == 0:
            return position
    return 0


def _opname(code: CodeType, lasti: int) -> str:
    """The instruction at `lasti`; a frame that called into Python code points at the call's cache
    entries (3.11), which follow the instruction itself."""
    raw = code.co_code
    while lasti > 0 and raw[lasti] == _CACHE:
        lasti -= 2
    return dis.opname[raw[lasti]]


def _written(name: str, text: str | None, frame: FrameType) -> str:
    """The function as the program wrote it: `torch.sigmoid`, `x.softmax`, `*`, `[]`."""
    opname = _opname(frame.f_code, frame.f_lasti)
    if text is None or opname not in ("CALL", "PRECALL", "CALL_FUNCTION_EX") or not text.endswith(")"):
        return name
    head = text[: _opening(text)].strip()
    if _DOTTED.fullmatch(head):
        return head  # torch.sigmoid, F.cross_entropy, x.relu, self.fc1
    return head.rpartition(".")[2] if "." in head else name  # (m @ w).sum -> sum

"""The whole in-process pipeline for one program (run inside the sandbox child): text checks, parsing, torch
state from the options, the program run as real Python under capture, and the graph response."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

import torch

from app import teach
from app.capture import capture
from app.capture.recorder import Recorder
from app.errors import DeviceUnavailable, GradtraceError, InternalError
from app.gcpause import collections_resumed
from app.graph import build_graph
from app.limits import Limits
from app.models import GraphOptions, GraphResponse
from app.program import BoundedOutput, CompiledProgram, compile_program
from app.program.environment import Observed, sandbox_environment
from app.program.figures import Figures
from app.seeding import manual_seed

__all__ = ["Execution", "resolve_device", "run", "torch_state"]

log = logging.getLogger(__name__)

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


class Execution:
    """Runs a compiled program under whatever recorder it is given; what it printed and what the sandbox
    changed for it (notes) accumulate over its runs (the teaching extras re-run it)."""

    def __init__(self, program: CompiledProgram, limits: Limits) -> None:
        self.program = program
        self.output = BoundedOutput(limits.max_print_bytes)
        self.observed = Observed()
        self.figures = Figures()

    def __call__(self, recorder: Recorder) -> None:
        with collections_resumed(), sandbox_environment(self.observed), self.figures.shown():
            self.program.run(recorder.name, self.output)


def run(
    program: str, options: GraphOptions, limits: Limits, *, max_chars: int, max_lines: int
) -> GraphResponse:
    """The graph of one program; a failure is raised as its GradtraceError with the partial graph attached."""
    start = time.perf_counter()
    compiled = compile_program(program, max_chars=max_chars, max_lines=max_lines)
    parsed = time.perf_counter()
    device = resolve_device(options.device)
    execution = Execution(compiled, limits)
    with torch_state(options, device):
        recorded = capture(execution, limits=limits, source=compiled.source)
    ran = time.perf_counter()
    stdout, stdout_truncated = execution.output.getvalue(), execution.output.truncated
    # outside the run's torch state: on CUDA its default-device mode would wrap every small torch call of
    # the encoder, which names its devices itself
    try:
        response = build_graph(recorded)
    except Exception:
        if recorded.error is None:
            raise
        # often the failure's own cause again (a CUDA out-of-memory leaves no room to reduce what ran):
        # the program's positioned error matters more than its partial graph
        log.warning("the partial graph of a failed run could not be built", exc_info=True)
        raise _with_graph(recorded.error, None) from None
    response.stdout = stdout  # the teaching re-runs below print again
    response.notes.extend(execution.observed.notes + execution.figures.notes)
    response.figures = execution.figures.images
    response.nondeterministic = execution.observed.nondeterministic
    if recorded.error is None:
        quiet = Execution(compiled, limits)  # re-runs print into their own buffer
        with torch_state(options, device):
            teach.enrich(response, recorded, quiet, options, limits)
    response.device, response.dtype = str(device), options.dtype
    response.timings.update(
        parse=_ms(start, parsed), run=_ms(parsed, ran), total=_ms(start, time.perf_counter())
    )
    response.truncated["stdout"] = stdout_truncated
    if recorded.error is not None:
        raise _with_graph(recorded.error, response)
    return response


def resolve_device(requested: str) -> torch.device:
    """ "auto" is CUDA when present, else CPU; "cuda" without a GPU is an error the user can act on.

    A CPU run never asks: the question loads the CUDA driver, and the fork server warms up with CPU runs."""
    if requested == "cpu":
        return torch.device("cpu")
    available = torch.cuda.is_available()
    if requested == "cuda" and not available:
        raise DeviceUnavailable("device 'cuda' was requested but this server has no GPU; use 'cpu' or 'auto'")
    return torch.device("cuda" if requested == "cuda" or requested == "auto" and available else "cpu")


@contextlib.contextmanager
def torch_state(options: GraphOptions, device: torch.device) -> Iterator[None]:
    """Seed, default dtype and default device for the run; restored afterwards (tests run in-process)."""
    previous = torch.get_default_dtype()
    manual_seed(options.seed, device)
    torch.set_default_dtype(_DTYPES[options.dtype])
    if device.type != "cpu":
        torch.set_default_device(device)
    try:
        with torch.enable_grad():
            yield
    finally:
        torch.set_default_dtype(previous)
        if device.type != "cpu":
            torch.set_default_device(None)


def _with_graph(error: Exception, response: GraphResponse | None) -> GradtraceError:
    """The program's error, carrying what ran before it (when anything was recorded)."""
    if not isinstance(error, GradtraceError):
        error = InternalError(f"the run failed unexpectedly ({type(error).__name__})")
    if response is not None and response.nodes:
        error.graph = response.model_dump(mode="json")
    return error


def _ms(begin: float, end: float) -> float:
    return round((end - begin) * 1000, 3)

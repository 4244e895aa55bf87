"""The child side: runs in one fresh child per run, forked from a server that preloaded torch.

torch is imported inside functions: it is already loaded in the children, and the web server never needs it.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
from multiprocessing.connection import Connection

from app.errors import GradtraceError, InternalError, LimitExceeded, MemoryLimit, ProgramRuntimeError
from app.sandbox.confine import detach
from app.sandbox.jail import lock_files, lock_process
from app.sandbox.prefault import Prefill, start_prefaulting
from app.sandbox.protocol import (
    JAILED,
    PREFILL,
    PREPARED,
    Confinement,
    JailReport,
    Job,
    Preparation,
    encode_error,
    encode_result,
)

__all__ = ["child_main", "open_gpu", "probe", "run_job"]

HEADER_BYTES = 4_096  # the Confinement message (or a prefill request before it)
LINGER_SECONDS = 5.0  # after the reply
OUT_OF_MEMORY = ("can't allocate memory", "out of memory", "std::bad_alloc")  # allocator failures' wording


def child_main(
    conn: Connection, job: Job, scratch: str, max_payload_bytes: int, prepare_gpu: Preparation | None = None
) -> None:
    """Jail this child (app/sandbox/jail.py has the order), wait for one job, run it, send the reply, exit.

    With `prepare_gpu` the child is a spare for CUDA runs: jailed with the CUDA profile at once, it opens the
    GPU and runs `prepare_gpu` (what every CUDA run pays once per process) while it waits, as root like any
    child before its job. A plain child learns from its job's header whether the run is a CUDA one, and takes
    the matching Landlock profile then (still one thread, and no user byte read yet)."""
    detach(conn.fileno(), scratch)
    files = None
    if prepare_gpu is not None:
        files = lock_files(scratch, cuda=True)
        open_gpu(1.0)  # the run's own share is set when it comes
        with contextlib.suppress(Exception):  # a GPU that fails here fails the run again, which reports it
            prepare_gpu()
        conn.send_bytes(PREPARED)  # the pool hands this child a run only once it has said so
    header = conn.recv_bytes(HEADER_BYTES)  # from the server, as every message before the payload
    prefill = None
    if header.startswith(PREFILL):  # the pool is idle: hold what its next run is expected to need
        prefill = Prefill.start(int(header[len(PREFILL) :]))
        header = conn.recv_bytes(HEADER_BYTES)
    confinement = Confinement.model_validate_json(header)
    reserved = prefill.stop(confinement.memory_mb) if prefill is not None else 0
    cuda = confinement.cuda_memory_fraction is not None
    if files is None:
        files = lock_files(scratch, cuda=cuda)
    elif not cuda:  # the pool never sends one: a CPU run here could reach the GPU
        conn.send_bytes(encode_error(InternalError("a CPU run reached a worker prepared for the GPU"), 4_096))
        return
    if cuda:
        open_gpu(confinement.cuda_memory_fraction or 1.0)
    else:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""  # a CPU run: autograd's engine then starts no GPU threads
    report = lock_process(files, confinement, reserved)
    conn.send_bytes(JAILED + report.model_dump_json(include=set(JailReport.model_fields)).encode())
    payload = conn.recv_bytes(max_payload_bytes)
    start_prefaulting(prefill.populated_to if prefill is not None else None)  # its thread inherits the jail
    # one job, then the end: no automatic collection outside the program's own runs (app.runner resumes it
    # there), so none walks the answer's objects before the reply goes (GPT-2 124M's graph: 10-25 ms)
    gc.disable()
    conn.send_bytes(run_job(job, payload, confinement.max_result_bytes))
    # stay until the server ends this child (or a while, should a pool shutting down never get to it): it
    # reads what the run left resident first (the heap is never trimmed, so that is the most the run's
    # allocations held: what its pool prefills the next spare with)
    with contextlib.suppress(OSError):
        conn.poll(LINGER_SECONDS)


def open_gpu(memory_fraction: float) -> None:
    """Create this child's CUDA context (when there is a GPU) inside its Landlock profile but before it drops
    root, takes its limits and its seccomp filter, so that device files a deployment made root-only still
    open, the file limit counts the driver's files and the filter covers the driver's threads (TSYNC). Called
    again in a prepared spare, it sets the run's share on top of what the preparation still holds (cuBLAS's
    workspaces: 32 MiB on an H200), which the run's own allocations must not pay for.

    A GPU that fails here fails the run's first CUDA op again, which reports it (the warm-up probe turns
    that into a CPU-only server); failing here would only end the child without a word."""
    import torch

    if not torch.cuda.is_available():
        return
    with contextlib.suppress(Exception):  # reported by the run, as said above
        held = torch.cuda.memory_reserved() / torch.cuda.get_device_properties(0).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, memory_fraction + held))
        torch.cuda.mem_get_info()  # needs the context: created here, not at the run's first CUDA op


def run_job(job: Job, payload: bytes, max_result_bytes: int) -> bytes:
    """The reply for one job: its tagged result, or its failure as a tagged error (never an exception)."""
    try:
        result = job(payload)
    except GradtraceError as error:
        return encode_error(_reclassify(error), max_result_bytes)
    except MemoryError:
        return encode_error(MemoryLimit("the run needed more memory than its limit allows"), max_result_bytes)
    except Exception as error:  # a failure of the job itself, reported with its type only
        if _out_of_memory(str(error)):
            return encode_error(
                MemoryLimit("the run needed more memory than its limit allows"), max_result_bytes
            )
        return encode_error(GradtraceError(f"the worker failed: {type(error).__name__}"), max_result_bytes)
    if len(result) > max_result_bytes:
        too_big = LimitExceeded(f"the result is {len(result)} bytes; the cap is {max_result_bytes}")
        return encode_error(too_big, max_result_bytes)
    return encode_result(result)


def _out_of_memory(message: str) -> bool:
    return any(words in message for words in OUT_OF_MEMORY)


def _reclassify(error: GradtraceError) -> GradtraceError:
    """A runtime error that was really the allocator hitting the memory limit becomes memory_limit."""
    if not (isinstance(error, ProgramRuntimeError) and _out_of_memory(error.message)):
        return error
    return MemoryLimit(
        "the run needed more memory than its limit allows",
        line=error.line,
        col=error.col,
        end_line=error.end_line,
        end_col=error.end_col,
        graph=error.graph,
        frames=error.frames,
    )


def probe(payload: bytes) -> bytes:
    """Warm-up job: what this machine's torch offers to a confined child (run in one, so that the fork
    server never initialises CUDA). A GPU that a child cannot use (device files it may not open, a broken
    driver) is reported with its error instead, and the server serves the CPU."""
    import torch

    found: dict[str, object] = {"torch": torch.__version__, "cuda": False, "cuda_memory_mb": 0}
    if torch.cuda.is_available():
        try:
            torch.zeros(1, device="cuda")  # a context and an allocation: what every CUDA run needs
            found.update(cuda=True, cuda_memory_mb=torch.cuda.get_device_properties(0).total_memory // 2**20)
        except Exception as error:  # any CUDA failure means the same: no GPU for the runs
            found["cuda_error"] = f"{type(error).__name__}: {error}"
    return json.dumps(found).encode()

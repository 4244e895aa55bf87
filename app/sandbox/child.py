"""One forked child seen from the server: hand it a job, wait for the reply or kill it, name what happened."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, ForkServerProcess

from pydantic import ValidationError

from app.errors import (
    CpuLimit,
    ForbiddenOperation,
    GradtraceError,
    InternalError,
    JailUnavailable,
    Timeout,
    WorkerCrashed,
)
from app.sandbox.confine import child_uid, tasks_of
from app.sandbox.protocol import (
    JAILED,
    PREFILL,
    PREPARED,
    Confinement,
    JailReport,
    Job,
    Preparation,
    decode_reply,
)
from app.sandbox.receive import DeadlinePassed, receive
from app.sandbox.scratch import make_scratch, remove_scratch
from app.sandbox.watchdog import Watchdog, resident_bytes
from app.sandbox.worker import child_main

__all__ = ["TASK_HEADROOM", "Child", "exit_error", "spawn"]

REPLY_OVERHEAD = 4_096  # bytes of envelope around a result of max_result_bytes
REPORT_BYTES = 4_096  # the JailReport
# Threads a run may start, on top of every thread its uid has when it starts (RLIMIT_NPROC counts the whole
# uid: where the server and its children share one, a busy server's own ~60 threads, and each other child's
# ~5, come out of this margin, never out of the run's few).
TASK_HEADROOM = 512


@dataclass
class Child:
    """A started child waiting for its one job, the server's end of its pipe, its scratch folder, and whether
    it may run a job only once fully jailed (strict mode)."""

    process: ForkServerProcess
    conn: Connection
    scratch: str
    strict: bool = False
    jail: JailReport | None = None  # what it said it put in place, once it has
    # resident memory before it was asked to prefill (None: it was not), and the most its run held
    idle_resident: int | None = None
    prefill_size: int = 0
    peak_resident: int = 0
    _baseline: int | None = None  # resident memory when it took its payload
    _reaping: threading.Lock = field(default_factory=threading.Lock)
    _prepared: bool = False

    def alive(self) -> bool:
        return self.process.is_alive()

    def prepared(self) -> bool:
        """Whether a spare made for the GPU has said that it is ready (without waiting; the message is read
        once, so that the reply to its job comes next). Only the server's own code has run there so far."""
        if not self._prepared and self.alive():
            try:
                self._prepared = self.conn.poll(0) and self.conn.recv_bytes(len(PREPARED)) == PREPARED
            except (EOFError, OSError):  # it died meanwhile: never ready; the pool reaps it
                return False
        return self._prepared

    def prefill(self, size: int) -> None:
        """Ask a spare waiting for its job to populate `size` bytes of heap for it (app/sandbox/prefault.py);
        what it holds now is measured first, so that what its run grew by includes what the prefill took."""
        assert self.process.pid is not None and self.idle_resident is None
        self.idle_resident = resident_bytes(self.process.pid)
        self.prefill_size = size
        self.conn.send_bytes(PREFILL + str(size).encode())

    def grown(self, telling: float) -> int | None:
        """Bytes of resident memory the run needed above what the child held when idle; None when that cannot
        be told: before a run, or when a prefilled run grew past its prefill by less than `telling` times the
        prefill (the populated pages are resident whether it used them or not)."""
        if self._baseline is None:
            return None
        if self.idle_resident is None:
            return max(0, self.peak_resident - self._baseline)
        if self.peak_resident - self._baseline < self.prefill_size * telling:
            return None
        return self.peak_resident - self.idle_resident

    def kill(self) -> None:
        """SIGKILL, safe at any time, from any thread: it never reads the exit status (`reap` does). A child
        that ran its job without seccomp may have started processes: its process group goes too (it leads
        one since its setsid; a descendant that left the group escapes, one reason strict mode exists)."""
        if self.jail is not None and not self.jail.seccomp and self.process.pid is not None:
            with contextlib.suppress(OSError):  # nothing left in the group
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.kill()  # a no-op once the exit is known; a gone process is ignored

    def reap(self) -> int | None:
        """Kill if still running, wait for the exit, free the pipe and the scratch folder; the exit code
        (negative: signal).

        Locked: a cancelled run's thread and the background reaper may both get here, and the exit code
        can be read from the fork server only once.
        """
        with self._reaping:
            self.kill()
            self.process.join()
            self.conn.close()
            remove_scratch(self.scratch)
            return self.process.exitcode

    def exchange(self, payload: bytes, confinement: Confinement) -> bytes:
        """Run one job (blocking; call from a thread): its result bytes, or its error raised.

        One deadline, `wall_seconds` from the header, covers the child's jail, the run and the whole reply;
        the watchdog checks the scratch folder and (CUDA runs) host memory meanwhile. A child that failed is
        reaped here; after a reply the caller reaps it, off the request path.
        """
        try:
            reply = self._send_and_receive(payload, confinement)
        except (EOFError, OSError):
            raise exit_error(self.reap(), confinement) from None
        except DeadlinePassed:
            self.reap()
            raise Timeout(
                f"the run took longer than {confinement.wall_seconds:g} s and was stopped"
            ) from None
        except GradtraceError:  # a limit the watchdog saw, a reply refused, a jail refused: stop the child
            self.reap()
            raise
        return decode_reply(reply)

    def _send_and_receive(self, payload: bytes, confinement: Confinement) -> bytes:
        """The header, the child's jail report, the payload, and the reply's bytes."""
        deadline = time.monotonic() + confinement.wall_seconds
        assert self.process.pid is not None
        watchdog = Watchdog(
            self.process.pid, self.scratch, confinement.scratch_mb, confinement.host_memory_mb
        )
        header = confinement.model_copy(update={"tasks": tasks_of(child_uid()) + TASK_HEADROOM})
        self.conn.send_bytes(header.model_dump_json().encode())
        first = receive(self.conn.fileno(), deadline, REPORT_BYTES, watchdog)
        if not first.startswith(JAILED):
            return first  # it refused the job before its jail: that error is the reply
        self.jail = self._accept(first[len(JAILED) :])
        watchdog.arm()
        self._baseline = watchdog.baseline
        self.conn.send_bytes(payload)
        try:
            return receive(
                self.conn.fileno(), deadline, confinement.max_result_bytes + REPLY_OVERHEAD, watchdog
            )
        finally:
            watchdog.sample()  # a run shorter than a tick is seen here: the child waits to be ended
            self.peak_resident = watchdog.peak

    def _accept(self, report: bytes) -> JailReport:
        """The child's report, sent before any user byte reached it; in strict mode a jail with a layer
        missing gets no payload."""
        try:
            jail = JailReport.model_validate_json(report)
        except ValidationError:
            raise InternalError("the worker sent an unreadable jail report") from None
        if self.strict and not jail.complete:
            raise JailUnavailable(
                f"the worker could not confine the run ({', '.join(jail.missing())} missing)"
            )
        return jail


def exit_error(exitcode: int | None, confinement: Confinement) -> GradtraceError:
    """The error for a child that ended without a reply, from how it ended."""
    if exitcode == -signal.SIGXCPU:
        return CpuLimit(f"the run used more than {confinement.cpu_seconds} s of CPU time and was stopped")
    if exitcode == -signal.SIGSYS:  # seccomp's answer to a 32-bit or x32 system call
        return ForbiddenOperation("the run made a system call the sandbox forbids and was stopped")
    if exitcode == 0:
        return InternalError("the worker exited without a reply")
    how = f"signal {signal.Signals(-exitcode).name}" if exitcode and exitcode < 0 else f"exit code {exitcode}"
    return WorkerCrashed(f"the worker process ended unexpectedly ({how}); please try again")


def spawn(
    context: ForkServerContext,
    job: Job,
    scratch_root: str,
    max_payload_bytes: int,
    prepare_gpu: Preparation | None = None,
    *,
    strict: bool = False,
) -> Child:
    """Fork a child from the fork server, with a fresh scratch folder; it jails itself and waits for its job
    (blocking, ~ms). With `prepare_gpu` it is a spare for CUDA runs only (see worker.child_main)."""
    scratch = make_scratch(scratch_root)
    ours, theirs = context.Pipe(duplex=True)
    args = (theirs, job, scratch, max_payload_bytes, prepare_gpu)
    process = context.Process(target=child_main, args=args, daemon=True)
    try:
        process.start()
    except BaseException:
        ours.close()
        remove_scratch(scratch)
        raise
    finally:
        theirs.close()
    return Child(process, ours, scratch, strict=strict)

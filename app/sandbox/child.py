"""One forked child seen from the server: hand it a job, wait for the reply or kill it, name what happened."""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, ForkServerProcess

from app.errors import CpuLimit, GradtraceError, InternalError, Timeout, WorkerCrashed
from app.sandbox.protocol import PREPARED, Confinement, Job, Preparation, decode_reply
from app.sandbox.worker import child_main

__all__ = ["Child", "exit_error", "spawn"]

REPLY_OVERHEAD = 4_096  # bytes of envelope around a result of max_result_bytes


@dataclass
class Child:
    """A started child waiting for its one job, and the server's end of its pipe."""

    process: ForkServerProcess
    conn: Connection
    _reaping: threading.Lock = field(default_factory=threading.Lock)
    _prepared: bool = False

    def alive(self) -> bool:
        return self.process.is_alive()

    def prepared(self) -> bool:
        """Whether a spare made for the GPU has said that it is ready (without waiting; the message is read
        once, so that the reply to its job comes next)."""
        if not self._prepared and self.alive():
            try:
                self._prepared = self.conn.poll(0) and self.conn.recv_bytes(len(PREPARED)) == PREPARED
            except (EOFError, OSError):  # it died meanwhile: never ready; the pool reaps it
                return False
        return self._prepared

    def kill(self) -> None:
        """SIGKILL, safe at any time, from any thread: it never reads the exit status (`reap` does)."""
        self.process.kill()  # a no-op once the exit is known; a gone process is ignored

    def reap(self) -> int | None:
        """Kill if still running, wait for the exit, free the pipe; the exit code (negative: signal).

        Locked: a cancelled run's thread and the background reaper may both get here, and the exit code
        can be read from the fork server only once.
        """
        with self._reaping:
            self.kill()
            self.process.join()
            self.conn.close()
            return self.process.exitcode

    def exchange(self, payload: bytes, confinement: Confinement) -> bytes:
        """Run one job (blocking; call from a thread): its result bytes, or its error raised.

        A child that failed is reaped here; after a reply the caller reaps it, off the request path.
        """
        try:
            reply = self._send_and_wait(payload, confinement)
        except (EOFError, OSError):
            raise exit_error(self.reap(), confinement) from None
        except Timeout:
            self.reap()
            raise
        return decode_reply(reply)

    def _send_and_wait(self, payload: bytes, confinement: Confinement) -> bytes:
        self.conn.send_bytes(confinement.model_dump_json().encode())
        self.conn.send_bytes(payload)
        if not self.conn.poll(confinement.wall_seconds):
            self.kill()
            raise Timeout(f"the run took longer than {confinement.wall_seconds:g} s and was stopped")
        return self.conn.recv_bytes(confinement.max_result_bytes + REPLY_OVERHEAD)


def exit_error(exitcode: int | None, confinement: Confinement) -> GradtraceError:
    """The error for a child that ended without a reply, from how it ended."""
    if exitcode == -signal.SIGXCPU:
        return CpuLimit(f"the run used more than {confinement.cpu_seconds} s of CPU time and was stopped")
    if exitcode == 0:
        return InternalError("the worker exited without a reply")
    how = f"signal {signal.Signals(-exitcode).name}" if exitcode and exitcode < 0 else f"exit code {exitcode}"
    return WorkerCrashed(f"the worker process ended unexpectedly ({how}); please try again")


def spawn(
    context: ForkServerContext,
    job: Job,
    workdir: str,
    max_payload_bytes: int,
    prepare_gpu: Preparation | None = None,
) -> Child:
    """Fork a child from the fork server; it confines itself and waits for its job (blocking, ~ms).
    With `prepare_gpu` it is a spare for CUDA runs only (see worker.child_main)."""
    ours, theirs = context.Pipe(duplex=True)
    args = (theirs, job, workdir, max_payload_bytes, prepare_gpu)
    process = context.Process(target=child_main, args=args, daemon=True)
    process.start()
    theirs.close()
    return Child(process, ours)

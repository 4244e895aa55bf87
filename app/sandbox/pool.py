"""The worker pool: a fork server with torch preloaded, pre-forked children, bounded runs, a queue, a 503.

On a machine with a usable GPU the pool also keeps spares prepared for CUDA runs: a CUDA context, cuBLAS,
autograd's GPU thread and the kernels' first loads cost a fresh child ~0.5 s on an H200, on every run.

The warm-up probe, itself a jailed child, reports the jail this host allows (`jail`). In strict mode a jail
without Landlock or seccomp makes the pool refuse every run (`refusal`, /healthz 503); otherwise the missing
layer is logged once, loudly, and the app serves loopback clients only (app/api/loopback.py)."""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import shutil
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from types import TracebackType
from typing import TypeVar

import anyio
from anyio.abc import TaskGroup

from app.errors import Busy, JailUnavailable
from app.sandbox import worker
from app.sandbox.child import Child, spawn
from app.sandbox.forkserver import start_fork_server
from app.sandbox.prefault import MAX_PREFILL_BYTES
from app.sandbox.protocol import Confinement, JailReport, Job, Preparation
from app.sandbox.scratch import make_scratch_root

__all__ = ["Machine", "Pool"]

log = logging.getLogger(__name__)
T = TypeVar("T")

TORCH_PRELOAD = "app.sandbox.preload"  # by name: importing it here would load torch into the web server
SETTLE = "app.sandbox.settle"  # last: moves what the preloads warmed onto huge pages (cheaper forks)
RETRY_FIRST, RETRY_MAX = 0.1, 5.0  # seconds between attempts to start a child after a failure (doubling)
# A spare is prefilled with 7/8 of the most any of the last few runs grew by, when that is worth a thread.
# A run that needs as much again grows past its prefill by the rest, which shows what it needed; one that
# stays within cannot tell (the populated pages are resident, used or not). Prefilling all of it would
# leave every run of the same program unable to tell.
DEMAND_WINDOW = 4
MIN_PREFILL = 32 << 20
PREFILL_SHARE = 7 / 8
TELLING = (1 - PREFILL_SHARE) / PREFILL_SHARE / 2  # past the prefill by half of what was held back: it tells
# the probe opens the GPU (if any) as a CUDA run does, so that it finds what the runs will find
PROBE_CONFINEMENT = Confinement(
    wall_seconds=120, cpu_seconds=120, memory_mb=None, cuda_memory_fraction=1.0, max_result_bytes=4_096
)


@dataclass(frozen=True)
class Machine:
    """What the warm-up probe found: the children's torch version and GPU."""

    torch: str
    cuda: bool
    cuda_memory_mb: int


class Pool:
    """Runs `job` in a fresh child per call, at most `workers` at once, `queue` waiting; use `async with`.

    `prefork` children wait ready for any run; when the probe finds a usable GPU and `prepare_gpu` is given,
    `gpu_prefork` more wait with the GPU prepared by it, for CUDA runs only (a CUDA run finding none takes
    a plain child, which opens the GPU itself). Whenever no run is going, the spare next in line populates
    as much heap as the biggest of the last few runs grew by, up to `prefill_bytes` (0: never), so that a
    program run again finds its memory faulted in (app/sandbox/prefault.py)."""

    def __init__(
        self,
        job: Job,
        *,
        workers: int,
        queue: int,
        prefork: int,
        max_payload_bytes: int,
        preload: Sequence[str] = (),
        gpu_prefork: int = 0,
        prepare_gpu: Preparation | None = None,
        probe: Job = worker.probe,
        strict: bool = False,
        prefill_bytes: int = 0,
    ) -> None:
        self.job, self.workers, self.queue = job, workers, queue
        self.max_payload_bytes = max_payload_bytes
        self.preload = [TORCH_PRELOAD, worker.__name__, job.__module__, *preload, SETTLE]
        self.prepare_gpu, self.probe = prepare_gpu, probe
        self.strict = strict  # runs only in children with Landlock and seccomp in force
        self.prefill_bytes = min(prefill_bytes, MAX_PREFILL_BYTES)
        self._demand: deque[int | None] = deque(maxlen=DEMAND_WINDOW)  # what the latest runs grew by, bytes
        self.machine: Machine | None = None  # set once warm; /healthz is ready from then on
        self.jail: JailReport | None = None  # what the probe child could put in place
        self.refusal: str | None = None  # why a strict pool serves nothing
        self._context = multiprocessing.get_context("forkserver")
        self._idle: dict[bool, deque[Child]] = {False: deque(), True: deque()}  # by "prepared for the GPU"
        self._busy: list[Child] = []  # running a job
        # spares kept of each kind (none for the GPU where the probe finds no usable one)
        self._stock = {False: prefork, True: gpu_prefork if prepare_gpu is not None else 0}
        self._limiter = anyio.CapacityLimiter(workers)
        self._gpu = anyio.Lock()  # CUDA runs one at a time
        self._pending = 0  # running + waiting
        self._scratch_root = ""
        self._restocking = {False: False, True: False}  # one restocking task per kind at a time
        self._start_failure: str | None = None  # why the latest attempt to start a child failed, if it did
        self._tasks: TaskGroup | None = None

    @property
    def ready(self) -> bool:
        """Whether a job can run now: warm, not refused, and children start (or a spare waits): what /healthz
        says."""
        if self.machine is None or self.refusal is not None:
            return False
        return self._start_failure is None or any(child.alive() for child in self._idle[False])

    @property
    def start_failure(self) -> str | None:
        """Why children cannot be started right now (e.g. the server is out of file descriptors), or None."""
        return self._start_failure

    async def __aenter__(self) -> Pool:
        self._scratch_root = make_scratch_root()
        start_fork_server(self._context, self.preload)  # here, before the pool starts any thread
        self._tasks = anyio.create_task_group()
        await self._tasks.__aenter__()
        self._tasks.start_soon(self._warm_up)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        assert self._tasks is not None
        self._tasks.cancel_scope.cancel()
        await self._tasks.__aexit__(None, None, None)  # the caller's own error propagates as it is
        for idle in self._idle.values():
            while idle:
                idle.popleft().reap()
        shutil.rmtree(self._scratch_root, ignore_errors=True)

    async def run(self, payload: bytes, confinement: Confinement) -> bytes:
        """The job's result bytes for `payload`, run in a fresh child; raises the run's GradtraceError."""
        if self.refusal is not None:
            raise JailUnavailable(self.refusal)
        if self._pending >= self.workers + self.queue:
            raise Busy(
                f"all {self.workers} workers are busy and {self.queue} runs are waiting; retry shortly"
            )
        self._pending += 1
        try:
            async with self._limiter:
                if confinement.cuda_memory_fraction is None:
                    return await self._run_in_child(payload, confinement)
                async with self._gpu:
                    return await self._run_in_child(payload, confinement)
        finally:
            self._pending -= 1

    @property
    def running(self) -> int:
        """Runs holding a worker now (their child starting, computing or answering)."""
        return int(self._limiter.borrowed_tokens)

    @property
    def waiting(self) -> int:
        """Runs queued for a worker; a request beyond `queue` of them gets the 503."""
        return self._pending - self.running

    def children_pids(self) -> list[int]:
        """The children alive now, spares and runs (for /metrics)."""
        children = (*self._idle[False], *self._idle[True], *self._busy)
        return [child.process.pid for child in children if child.process.pid and child.alive()]

    @property
    def gpu_spares(self) -> int:
        """Spares waiting with their GPU prepared (not those still preparing)."""
        return sum(child.prepared() for child in self._idle[True])

    async def _run_in_child(self, payload: bytes, confinement: Confinement) -> bytes:
        child = await self._take_child(gpu=confinement.cuda_memory_fraction is not None)
        self._busy.append(child)
        try:
            return await anyio.to_thread.run_sync(
                child.exchange, payload, confinement, abandon_on_cancel=True
            )
        except anyio.get_cancelled_exc_class():
            child.kill()  # the client went away: stop the run; the abandoned thread reaps it
            raise
        finally:
            self._busy.remove(child)
            self._in_background(child.reap)
            if confinement.cuda_memory_fraction is None:  # a CUDA run's host memory is no CPU run's need
                self._demand.append(child.grown(TELLING))
            if not self._busy:
                self._prefill_next()

    def _prefill_next(self) -> None:
        """Ask the spare the next run takes to prefill its heap, if the latest runs make it worth it: the
        most one of them grew by, among those that tell (after as many runs that cannot tell, nothing: the
        next run is measured afresh)."""
        needed = max((grown for grown in self._demand if grown is not None), default=0)
        size = int(min(needed * PREFILL_SHARE, self.prefill_bytes))
        idle = self._idle[False]
        if size < MIN_PREFILL or not idle or idle[0].idle_resident is not None or not idle[0].alive():
            return
        with contextlib.suppress(OSError):  # it died meanwhile: the run that takes it reaps it
            idle[0].prefill(size)

    async def _take_child(self, *, gpu: bool) -> Child:
        """For a CUDA run, a spare with its GPU prepared when one is ready; else a plain pre-forked child when
        one is alive (forking a replacement in the background), else a new plain one. A plain child serves
        any run: it opens the GPU itself once its job's header says CUDA."""
        if gpu and (spare := await self._prepared_spare()) is not None:
            return spare
        idle = self._idle[False]
        while idle:
            child = idle.popleft()
            self._restock_soon(False)
            if child.alive():
                return child
            await anyio.to_thread.run_sync(child.reap)
        try:
            return await anyio.to_thread.run_sync(self._spawn, False)
        except Exception as error:  # out of descriptors, processes, memory: the next run may find them back
            self._restock_soon(False)  # retried in the background, which makes the pool ready again
            raise Busy("the server cannot start a worker right now; retry shortly") from error

    async def _prepared_spare(self) -> Child | None:
        """The first spare made for the GPU if it has finished preparing: one still at it (~1 s on an H200)
        would keep the run waiting longer than a plain child takes to open the GPU (~0.4 s)."""
        idle = self._idle[True]
        while idle and not idle[0].alive():
            self._restock_soon(True)
            await anyio.to_thread.run_sync(idle.popleft().reap)
        if not idle or not idle[0].prepared():
            return None
        self._restock_soon(True)
        return idle.popleft()

    def _judge(self, jail: JailReport) -> None:
        """Record the jail; say once, loudly, what is missing, and in strict mode refuse to serve."""
        self.jail = jail
        if jail.complete:
            log.info("sandbox jail: %s", jail.model_dump_json())
            return
        missing = ", ".join(jail.missing())
        if self.strict:
            self.refusal = (
                f"the sandbox cannot confine runs on this host ({missing} unavailable); strict mode"
            )
            log.error(
                "REFUSING TO SERVE: %s (set GRADTRACE_JAIL=best-effort to serve loopback clients)",
                self.refusal,
            )
        else:
            log.error(
                "SANDBOX JAIL INCOMPLETE: %s unavailable on this host; runs are confined without it and the "
                "server answers loopback clients only (%s)",
                missing,
                jail.model_dump_json(),
            )

    def _restock_soon(self, gpu: bool) -> None:
        if self._tasks is not None and not self._restocking[gpu]:
            self._restocking[gpu] = True
            self._tasks.start_soon(self._restock, gpu)

    def _spawn(self, gpu: bool) -> Child:
        """Start a child (blocking); remembers whether starting children works, for `ready`."""
        prepare = self.prepare_gpu if gpu else None
        try:
            root, most = self._scratch_root, self.max_payload_bytes
            child = spawn(self._context, self.job, root, most, prepare, strict=self.strict)
        except Exception as error:
            self._start_failure = f"{type(error).__name__}: {error}"
            raise
        self._start_failure = None
        return child

    def _in_background(self, work: Callable[[], object]) -> None:
        """Blocking work (fork, reap) in a thread, owned by the pool's task group, off the request path.
        A failure is logged, never raised: it would end the task group and every run after it."""
        if self._tasks is not None:
            self._tasks.start_soon(_logged, partial(anyio.to_thread.run_sync, work))

    async def _restock(self, gpu: bool) -> None:
        """Fill the spares of one kind up to their stock, and start one at least after a failed start (with
        no stock, nothing else would find out that children start again). A child that fails to start is
        retried with backoff (e.g. while a flood holds the server's file descriptors) while the pool lives."""
        try:
            while self._start_failure is not None or len(self._idle[gpu]) < self._stock[gpu]:
                child = await _retried(partial(anyio.to_thread.run_sync, self._spawn, gpu), "start a child")
                self._idle[gpu].append(child)
                if not self._busy:
                    self._prefill_next()
        finally:
            self._restocking[gpu] = False

    async def _warm_up(self) -> None:
        """Start the fork server (the one slow torch import), probe the machine, pre-fork the children;
        retried with backoff until it works (/healthz says 503 meanwhile)."""
        await _retried(self._start_children, "start the worker pool")

    async def _start_children(self) -> None:
        probe = await anyio.to_thread.run_sync(spawn, self._context, self.probe, self._scratch_root, 1)
        try:
            found = json.loads(await anyio.to_thread.run_sync(probe.exchange, b"", PROBE_CONFINEMENT))
        finally:
            await anyio.to_thread.run_sync(probe.reap)
        assert probe.jail is not None  # a reply comes only after the report
        self._judge(probe.jail)
        if "cuda_error" in found:
            log.warning("GPU unusable in a sandboxed run; serving the CPU only: %s", found["cuda_error"])
        if not found["cuda"]:
            self._stock[True] = 0
        if self.refusal is not None:  # no run will come
            self._stock = {False: 0, True: 0}
        for gpu, count in self._stock.items():
            while len(self._idle[gpu]) < count:
                self._idle[gpu].append(await anyio.to_thread.run_sync(self._spawn, gpu))
        self.machine = Machine(
            torch=found["torch"], cuda=found["cuda"], cuda_memory_mb=found["cuda_memory_mb"]
        )
        log.info(
            "worker pool warm: torch %s, cuda %s, %d pre-forked (%d prepared for the GPU)",
            found["torch"],
            found["cuda"],
            self._stock[False],
            self._stock[True],
        )


async def _retried(attempt: Callable[[], Awaitable[T]], what: str) -> T:
    """`attempt()`'s result once it succeeds; each failure is logged and followed by a doubling pause."""
    pause = RETRY_FIRST
    while True:
        try:
            return await attempt()
        except Exception as error:
            log.warning("could not %s (%s: %s); retrying in %.1f s", what, type(error).__name__, error, pause)
        await anyio.sleep(pause)
        pause = min(2 * pause, RETRY_MAX)


async def _logged(work: Callable[[], Awaitable[object]]) -> None:
    try:
        await work()
    except Exception:
        log.exception("background work of the worker pool failed")

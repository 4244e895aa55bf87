"""The worker pool against jobs with known behaviour: results, confinement, every failure mode, recovery.

Nothing here depends on how fast the machine is: runs that must be stopped never finish by themselves, a
test acts on a child once the pool has handed it its job (waiting for that state, not for a while), and
the wall-clock limit of the runs that must finish is only a backstop.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
import sandbox_jobs
from pools import started
from waiting import BACKSTOP_SECONDS, wait_for_async

from app.errors import (
    Busy,
    CpuLimit,
    InternalError,
    LimitExceeded,
    MemoryLimit,
    ProgramRuntimeError,
    Timeout,
    WorkerCrashed,
)
from app.sandbox.allowed import DATA_DIR
from app.sandbox.child import Child, spawn
from app.sandbox.confine import child_uid
from app.sandbox.pool import Pool
from app.sandbox.protocol import Confinement, Job

pytestmark = pytest.mark.anyio

# the wall clock outlasts every wait here: a run that must be stopped by something else cannot end by it
LIMITS = Confinement(wall_seconds=2 * BACKSTOP_SECONDS, cpu_seconds=5, memory_mb=256, max_result_bytes=2**20)
NEVER = str(4 * BACKSTOP_SECONDS).encode()  # seconds sandbox_jobs.sleep sleeps: past every limit and wait
ON_GPU = LIMITS.model_copy(update={"memory_mb": None, "cuda_memory_fraction": 0.5})


@pytest.fixture
async def echo_pool() -> AsyncIterator[Pool]:
    async with started(sandbox_jobs.echo) as pool:
        yield pool


async def run_once(job: Job, payload: bytes, limits: Confinement = LIMITS) -> bytes:
    async with started(job, prefork=0) as pool:
        return await pool.run(payload, limits)


async def test_result_bytes_come_back_unchanged(echo_pool: Pool) -> None:
    assert await echo_pool.run(b'{"x": [1, 2.5]}', LIMITS) == b'{"x": [1, 2.5]}'


async def test_machine_probe_reports_torch(echo_pool: Pool) -> None:
    assert echo_pool.machine is not None
    assert echo_pool.machine.torch.startswith("2.")
    assert echo_pool.machine.cuda is False


async def test_every_run_gets_a_fresh_child() -> None:
    async with started(sandbox_jobs.count_calls) as pool:
        first = json.loads(await pool.run(b"", LIMITS))
        second = json.loads(await pool.run(b"", LIMITS))
    assert first["calls"] == second["calls"] == 1
    assert first["pid"] != second["pid"]


async def test_child_is_confined() -> None:
    seen = json.loads(await run_once(sandbox_jobs.describe, b""))
    assert seen["uid"] == child_uid()  # nobody, where nobody can read the installation
    assert Path(seen["cwd"]).parent.name.startswith("gradtrace-run-")  # its own scratch folder
    # only the datasets, linked in (app/sandbox/scratch.py)
    assert sorted(seen["cwd_entries"]) == sorted(path.name for path in DATA_DIR.iterdir())
    assert seen["env"] == {
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "HOME": seen["cwd"],
        "TMPDIR": seen["cwd"],
        "CUDA_VISIBLE_DEVICES": "",  # set empty: a CPU run keeps autograd off the GPU
    }
    assert seen["tempdir"] == seen["cwd"]
    assert seen["fds"] <= 5  # stdin/out/err on /dev/null, the pipe, and listdir's own
    assert seen["core"] == [0, 0]
    assert seen["fsize"] == [64 * 2**20] * 2  # the scratch folder's size, per file
    assert seen["cpu"] == [5, 6]
    assert seen["sid_is_pid"] is True
    assert seen["collecting"] is False  # one job, then the end: a collection would only delay the reply


async def test_wall_clock_limit_kills_a_slow_run() -> None:
    """The job sleeps for longer than any wait here: only the limit can end it, and its child with it."""
    limits = LIMITS.model_copy(update={"wall_seconds": 0.5})
    async with started(sandbox_jobs.sleep, prefork=1) as pool:
        child = pool._idle[False][0]
        with pytest.raises(Timeout, match="longer than 0.5 s"):
            await pool.run(NEVER, limits)
        assert child.process.exitcode == -signal.SIGKILL  # killed and reaped before the error was raised


async def test_cpu_limit_stops_a_spinning_run() -> None:
    """The job spins for ever and its wall clock is the backstop: only the CPU limit can end it."""
    limits = LIMITS.model_copy(update={"cpu_seconds": 1})
    with pytest.raises(CpuLimit, match="1 s of CPU"):
        await run_once(sandbox_jobs.spin, b"", limits)


async def test_memory_limit_stops_a_big_allocation() -> None:
    limits = LIMITS.model_copy(update={"memory_mb": 64})
    with pytest.raises(MemoryLimit):
        await run_once(sandbox_jobs.allocate, b"512", limits)
    assert json.loads(await run_once(sandbox_jobs.allocate, b"16", limits)) == {"size": 16 * 2**20}


async def test_allocator_failure_inside_the_program_is_a_memory_limit() -> None:
    with pytest.raises(MemoryLimit) as caught:
        await run_once(sandbox_jobs.fail_out_of_memory, b"")
    assert caught.value.line == 2


async def test_segfault_is_a_worker_crash() -> None:
    with pytest.raises(WorkerCrashed, match="SIGSEGV"):
        await run_once(sandbox_jobs.segfault, b"")


async def test_exit_without_reply_is_an_internal_error() -> None:
    with pytest.raises(InternalError, match="without a reply"):
        await run_once(sandbox_jobs.exit_silently, b"")


async def test_result_over_the_cap_is_refused() -> None:
    limits = LIMITS.model_copy(update={"max_result_bytes": 1_000})
    with pytest.raises(LimitExceeded, match="the cap is 1000"):
        await run_once(sandbox_jobs.huge, b"1000", limits)


async def test_program_error_crosses_the_pipe_with_place_and_partial_graph() -> None:
    with pytest.raises(ProgramRuntimeError) as caught:
        await run_once(sandbox_jobs.fail_in_program, b"")
    error = caught.value
    assert (error.message, error.line, error.col) == ("shape mismatch", 3, 4)
    assert error.graph == b'{"nodes": [{"id": "n0"}]}'  # forwarded as the child's bytes


async def test_beyond_the_queue_is_busy_and_the_rest_finish() -> None:
    outcomes: list[str] = []
    async with started(sandbox_jobs.sleep, workers=1, queue=1) as pool:

        async def one() -> None:
            try:
                await pool.run(b"0.3", LIMITS)
                outcomes.append("ok")
            except Busy:
                outcomes.append("busy")

        async with anyio.create_task_group() as tasks:
            for _ in range(4):
                tasks.start_soon(one)
    assert sorted(outcomes) == ["busy", "busy", "ok", "ok"]


async def handed_its_job(pool: Pool, child: Child) -> None:
    """Until the pool has taken this pre-forked child for a run (it is no longer idle, a run holds it)."""
    await wait_for_async(
        lambda: child not in pool._idle[False] and pool.running == 1, "the pool to hand the child its run"
    )


async def test_cancelled_run_kills_its_child() -> None:
    async with started(sandbox_jobs.sleep, prefork=1) as pool:
        child = pool._idle[False][0]
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(pool.run, NEVER, LIMITS)
            await handed_its_job(pool, child)
            tasks.cancel_scope.cancel()
        await wait_for_async(lambda: child.process.exitcode is not None, "the cancelled run's child to end")
        assert child.process.exitcode == -signal.SIGKILL


async def test_pool_recovers_when_idle_children_are_killed(echo_pool: Pool) -> None:
    for child in list(echo_pool._idle[False]):
        os.kill(child.process.pid or 0, signal.SIGKILL)
    await wait_for_async(
        lambda: not any(child.alive() for child in echo_pool._idle[False]), "the killed children to end"
    )
    assert await echo_pool.run(b"after", LIMITS) == b"after"


async def test_child_killed_mid_run_is_a_crash_and_the_next_run_works() -> None:
    async with started(sandbox_jobs.sleep, prefork=1) as pool:
        victim = pool._idle[False][0]

        async def kill_once_running() -> None:
            await handed_its_job(pool, victim)
            os.kill(victim.process.pid or 0, signal.SIGKILL)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(kill_once_running)
            with pytest.raises(WorkerCrashed, match="SIGKILL"):
                await pool.run(NEVER, LIMITS)
        assert await pool.run(b"0", LIMITS) == b"{}"


async def test_cuda_runs_take_spares_prepared_for_the_gpu_and_cpu_runs_never_do() -> None:
    gpu = {"gpu_prefork": 1, "prepare_gpu": sandbox_jobs.prepare, "probe": sandbox_jobs.gpu_probe}
    async with started(sandbox_jobs.preparation, **gpu) as pool:
        assert pool.machine is not None and pool.machine.cuda
        early = json.loads(await pool.run(b"", ON_GPU))  # the spare is still preparing: a plain child runs it
        let_spares_finish_preparing(Path(pool._scratch_root))
        await prepared_spare(pool)
        on_gpu = json.loads(await pool.run(b"", ON_GPU))
        on_cpu = json.loads(await pool.run(b"", LIMITS))
        chosen = os.environ.get("CUDA_VISIBLE_DEVICES")  # the operator's GPU choice reaches CUDA runs
        assert (early["prepared"], early["cuda_visible_devices"]) == (False, chosen)
        assert (on_gpu["prepared"], on_gpu["cuda_visible_devices"]) == (True, chosen)
        assert (on_cpu["prepared"], on_cpu["cuda_visible_devices"]) == (False, "")
        assert on_gpu["cpu"] == [6, 7] and on_cpu["cpu"] == [5, 6]  # 5 s from the job, after 1.2 s preparing
        await prepared_spare(pool)  # restocked in the background
        assert json.loads(await pool.run(b"", ON_GPU))["prepared"] is True


def let_spares_finish_preparing(workdir: Path) -> None:
    """Put sandbox_jobs.PREPARE_GATE in the scratch root the children's folders are made in (read-only to
    them)."""
    workdir.chmod(0o755)
    (workdir / sandbox_jobs.PREPARE_GATE).touch()


async def prepared_spare(pool: Pool) -> None:
    await wait_for_async(lambda: pool.gpu_spares > 0, "a spare prepared for the GPU")


async def test_without_a_gpu_no_spare_is_prepared_and_cuda_confined_runs_take_plain_children() -> None:
    async with started(sandbox_jobs.preparation, gpu_prefork=1, prepare_gpu=sandbox_jobs.prepare) as pool:
        assert pool.machine is not None and not pool.machine.cuda and pool.gpu_spares == 0
        assert json.loads(await pool.run(b"", ON_GPU))["prepared"] is False


async def test_a_spare_prepared_for_the_gpu_refuses_a_cpu_run(tmp_path: Path) -> None:
    """The pool never sends one; a CPU run there would find CUDA open. The payload is more than the pipe
    holds, so the server is still sending it when the child decides: the refusal must still arrive (it was
    lost to a broken pipe when the child answered before reading the payload, as on a loaded machine)."""
    context = multiprocessing.get_context("forkserver")
    let_spares_finish_preparing(tmp_path)
    child = spawn(context, sandbox_jobs.preparation, str(tmp_path), 2**20, sandbox_jobs.prepare)
    try:
        await wait_for_async(child.prepared, "the spare to finish preparing")
        with pytest.raises(InternalError, match="prepared for the GPU"):
            await anyio.to_thread.run_sync(child.exchange, b" " * 2**19, LIMITS)
    finally:
        await anyio.to_thread.run_sync(child.reap)


class FlakySpawn:
    """`spawn` that fails as a server out of file descriptors does, while `failing` is set."""

    def __init__(self, failing: bool) -> None:
        self.failing = failing
        self.failures = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.failing:
            self.failures += 1
            raise OSError(errno.EMFILE, "Too many open files")
        return spawn(*args, **kwargs)


async def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    with anyio.fail_after(seconds):
        while not condition():
            await anyio.sleep(0.02)


async def test_children_that_fail_to_start_make_the_pool_unready_and_busy_until_they_start_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flaky = FlakySpawn(failing=False)
    monkeypatch.setattr("app.sandbox.pool.spawn", flaky)
    async with started(sandbox_jobs.echo, workers=1, prefork=1) as pool:
        flaky.failing = True
        assert await pool.run(b"spare", LIMITS) == b"spare"  # the pre-forked child; its restock fails
        await wait_for(lambda: flaky.failures >= 2)  # retried, and the pool's task group lives on
        assert not pool.ready and pool.start_failure == "OSError: [Errno 24] Too many open files"
        with pytest.raises(Busy, match="cannot start a worker"):
            await pool.run(b"refused", LIMITS)
        flaky.failing = False
        await wait_for(lambda: pool.ready)
        assert pool.start_failure is None
        assert await pool.run(b"after", LIMITS) == b"after"


async def test_a_warm_up_that_fails_is_retried_until_the_pool_is_ready(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flaky = FlakySpawn(failing=True)
    monkeypatch.setattr("app.sandbox.pool.spawn", flaky)
    sizes = {"workers": 1, "queue": 1, "prefork": 1, "max_payload_bytes": 2**20}
    async with Pool(sandbox_jobs.echo, **sizes) as pool:
        await wait_for(lambda: flaky.failures >= 3)
        assert not pool.ready
        flaky.failing = False
        await wait_for(lambda: pool.ready, seconds=60)
        assert await pool.run(b"warm", LIMITS) == b"warm"

"""Shared fixtures: the real app under uvicorn on a free loopback port, started as a subprocess.

The test process computes its oracles as the product computes its runs: torch on one thread, as the sandbox
children run it (app/sandbox/preload.py). GRADTRACE_TEST_THREADS sets another count (scripts/test-under-load
runs the suite with it too), which every oracle must survive: values that come from a sandbox child are
compared within float rounding (tests/tolerance.py), never bit for bit after a reduction.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import torch
from waiting import BACKSTOP_SECONDS, wait_for

from app.examples import example

ROOT = Path(__file__).resolve().parents[1]
TEST_THREADS = int(os.environ.get("GRADTRACE_TEST_THREADS", "1"))
torch.set_num_threads(TEST_THREADS)

LOGISTIC_NEURON = example("logistic").code  # x=1.1, y=1.0, w=2.2, b=0.0; dL/dw = -0.0898


@dataclass
class LiveServer:
    """A running `uvicorn app.main:app`; `client` talks to it, `pid` is the server process."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def client(self) -> httpx.Client:
        """A client that waits as long as a run may take: the server's wall-clock limit ends every run, so
        the client's timeout is only a backstop."""
        return httpx.Client(base_url=self.url, timeout=BACKSTOP_SECONDS)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(log: Path, settings: dict[str, str]) -> LiveServer:
    """Start the server as `make run` does (uvicorn with its connection guards, app.serve) with GRADTRACE_*
    settings, and wait until /healthz answers 200.

    It serves a socket bound here and handed over (`--fd`): a port only looked up as free could be taken by
    another process (another test suite on a shared machine) before uvicorn binds it."""
    env = {**os.environ, **{f"GRADTRACE_{name.upper()}": value for name, value in settings.items()}}
    with socket.socket() as listener, log.open("wb") as sink:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        port = listener.getsockname()[1]
        command = [sys.executable, "-m", "app.serve", "--fd", str(listener.fileno())]
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, pass_fds=[listener.fileno()]
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)
    wait_until_ready(server)
    return server


def wait_until_ready(server: LiveServer) -> None:
    """Until /healthz says 200 (the fork server has imported torch and forked its children), however long a
    loaded machine takes; a server that exits fails at once, with its log."""

    def ready() -> bool:
        if server.process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {server.process.returncode}:\n{server.log_text()}")
        try:
            return httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(ready, f"uvicorn at {server.url} to answer /healthz with 200")
    except AssertionError as never:
        stop_server(server)
        raise RuntimeError(f"{never}:\n{server.log_text()}") from None


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@contextmanager
def serving(
    tmp_path_factory: pytest.TempPathFactory, name: str, settings: dict[str, str]
) -> Iterator[LiveServer]:
    """A server with these settings for a `with` block (module fixtures of tests that need their own)."""
    live = start_server(tmp_path_factory.mktemp(name) / "uvicorn.log", settings)
    try:
        yield live
    finally:
        stop_server(live)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with default settings (2 workers, queue 8)."""
    live = start_server(tmp_path_factory.mktemp("server") / "uvicorn.log", {})
    yield live
    stop_server(live)


@pytest.fixture(scope="session")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One worker, a queue of one, a small body cap: for 503, 413 and recovery tests. Its runs may take far
    longer than the backstop of any wait (wall clock an hour, CPU twice the backstop), so that a held run
    (tests/long_runs.py) ends only when a test stops it, on any machine however loaded."""
    settings = {
        "workers": "1",
        "queue": "1",
        "prefork": "1",
        "max_body_bytes": "4096",
        "limits__wall_seconds": "3600",
        "limits__cpu_seconds": str(int(2 * BACKSTOP_SECONDS)),
    }
    live = start_server(tmp_path_factory.mktemp("small") / "uvicorn.log", settings)
    yield live
    stop_server(live)


@pytest.fixture(scope="session")
def logistic_neuron() -> str:
    return LOGISTIC_NEURON

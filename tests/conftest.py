"""Shared fixtures: the real app under uvicorn on a free loopback port, started as a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.examples import example

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 90  # the fork server imports torch once before /healthz says 200

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

    def client(self, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(log: Path, settings: dict[str, str]) -> LiveServer:
    """Start the server as `make run` does (uvicorn with its connection guards, app.serve) with GRADTRACE_*
    settings, and wait until /healthz answers 200."""
    port = free_port()
    env = {**os.environ, **{f"GRADTRACE_{name.upper()}": value for name, value in settings.items()}}
    command = [sys.executable, "-m", "app.serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)
    wait_until_ready(server)
    return server


def wait_until_ready(server: LiveServer) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {server.process.returncode}:\n{server.log_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"uvicorn was not ready after {START_SECONDS} s:\n{server.log_text()}")


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
    """One worker, a queue of one, a small body cap: for 503, 413 and recovery tests."""
    settings = {"workers": "1", "queue": "1", "prefork": "1", "max_body_bytes": "4096"}
    live = start_server(tmp_path_factory.mktemp("small") / "uvicorn.log", settings)
    yield live
    stop_server(live)


@pytest.fixture(scope="session")
def logistic_neuron() -> str:
    return LOGISTIC_NEURON

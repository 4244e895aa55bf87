"""Hostile programs through real HTTP, judged by their effects: a canary never leaks, nothing is written,
executed, connected to or signalled outside the run, bombs end in a 4xx, and the server stays healthy and
right afterwards. (The jail's layers are tested one by one in tests/sandbox/test_jail.py.)"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from graphs import grad

if TYPE_CHECKING:
    from conftest import LiveServer

CANARY = "CANARY-3f9e1b"


def post(server: LiveServer, program: str, **limits: Any) -> httpx.Response:
    with server.client() as client:
        options = {"limits": limits} if limits else {}
        return client.post("/graph", json={"program": program, "options": options})


def still_right(server: LiveServer, logistic_neuron: str) -> None:
    with server.client() as client:
        assert client.get("/healthz").status_code == 200
        graph = client.post("/graph", json={"program": logistic_neuron}).json()
    assert round(grad(graph, "w"), 4) == -0.0898


def test_a_canary_outside_the_allowed_trees_never_leaks(server: LiveServer, tmp_path: Path) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text(CANARY)
    canary.chmod(0o644)
    tmp_path.chmod(0o755)
    program = f"""\
import os, torch
for reader in (lambda: open({str(canary)!r}).read(), lambda: os.listdir({str(tmp_path)!r}),
               lambda: torch.from_file({str(canary)!r}, size=8, dtype=torch.uint8).tolist()):
    try:
        print(reader())
    except Exception as error:
        print(type(error).__name__)
"""
    response = post(server, program)
    assert response.status_code == 200, response.text[:300]
    assert CANARY not in response.text and "canary.txt" not in response.text
    assert response.json()["stdout"].split() == ["PermissionError"] * 2 + ["RuntimeError"]


def test_the_servers_environment_and_memory_cannot_be_read(server: LiveServer) -> None:
    program = f"""\
import os
for name in ("environ", "maps", "cmdline"):
    try:
        print(open(f"/proc/{server.pid}/{{name}}", "rb").read()[:50])
    except OSError as error:
        print(type(error).__name__)
"""
    response = post(server, program)
    assert response.status_code == 200 and "GRADTRACE" not in response.text and "uvicorn" not in response.text
    assert set(response.json()["stdout"].split()) <= {"PermissionError", "FileNotFoundError"}


def test_nothing_is_written_outside_the_runs_folder(server: LiveServer, tmp_path: Path) -> None:
    tmp_path.chmod(0o777)
    target = tmp_path / "written.txt"
    program = f"open({str(target)!r}, 'w').write('x')\n"
    response = post(server, program)
    assert response.status_code == 422 and response.json()["error"]["kind"] == "runtime_error"
    assert "a program may read its installation" in response.json()["error"]["message"]
    assert not target.exists()


def test_no_connection_leaves_the_run(server: LiveServer) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    program = f"""\
import socket, urllib.request
socket.create_connection(("127.0.0.1", {port}), timeout=2)
"""
    response = post(server, program)
    listener.setblocking(False)  # a connection made would wait in the backlog, accepted or not
    with pytest.raises(BlockingIOError):
        listener.accept()
    listener.close()
    error = response.json()["error"]
    assert (error["kind"], error["line"]) == ("runtime_error", 2) and "no network" in error["message"]


def test_no_program_can_be_executed(server: LiveServer, tmp_path: Path) -> None:
    tmp_path.chmod(0o777)
    marker = tmp_path / "ran"
    program = f"""\
import os, subprocess
for attempt in (lambda: os.system("touch {marker}"), lambda: subprocess.run(["touch", "{marker}"])):
    try:
        attempt()
    except Exception as error:
        print(type(error).__name__)
"""
    response = post(server, program)
    assert response.status_code == 200, response.text[:300]
    assert not marker.exists()


def test_signals_reach_neither_the_server_nor_anything_else(server: LiveServer, logistic_neuron: str) -> None:
    program = f"""\
import os, signal
for pid in ({server.pid}, os.getppid(), -1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError as error:
        print(type(error).__name__)
"""
    response = post(server, program)
    assert response.status_code == 200
    assert response.json()["stdout"].split() == ["PermissionError"] * 3
    assert server.process.poll() is None
    still_right(server, logistic_neuron)


@pytest.mark.parametrize(
    ("program", "kinds"),
    [
        ("import os\nwhile True:\n    os.fork()\n", {"runtime_error"}),
        ("x = bytearray(1)\nwhile True:\n    x = x + x\n", {"memory_limit"}),
        ("while True:\n    pass\n", {"timeout", "cpu_limit"}),
        ("import torch\nx = torch.ones(10**10)\n", {"limit_exceeded"}),
    ],
    ids=["fork bomb", "memory", "spin", "huge tensor"],
)
def test_bombs_end_in_their_4xx_and_the_server_stays_right(
    server: LiveServer, logistic_neuron: str, program: str, kinds: set[str]
) -> None:
    response = post(server, program, wall_seconds=6, cpu_seconds=6, memory_mb=400)
    assert response.status_code == 422 and response.json()["error"]["kind"] in kinds, response.text[:300]
    still_right(server, logistic_neuron)


def test_the_servers_environment_never_reaches_a_run(server: LiveServer) -> None:
    program = "import os\nprint(sorted(os.environ))\nprint(open('/proc/self/environ', 'rb').read()[:200])\n"
    response = post(server, program)
    assert not any(name in response.text for name in os.environ if name.startswith(("GRADTRACE", "PYTEST")))

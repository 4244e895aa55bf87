"""/healthz reports the sandbox's jail per layer; strict mode refuses to serve without it, and best-effort
mode answers loopback clients only until the jail is whole."""

from __future__ import annotations

import os
from types import SimpleNamespace

import httpx
import landlockpy
import pytest
from conftest import LiveServer

from app.main import create_app
from app.sandbox.confine import child_uid
from app.sandbox.pool import Machine
from app.sandbox.protocol import JailReport
from app.settings import Settings

pytestmark = pytest.mark.anyio

WHOLE = JailReport(landlock=7, seccomp=True, no_new_privs=True, uid_separated=True)
NO_LANDLOCK = JailReport(landlock=0, seccomp=True, no_new_privs=True, uid_separated=True)
MACHINE = Machine(torch="2.test", cuda=False, cuda_memory_mb=0)


def test_healthz_reports_the_jail_in_force(server: LiveServer) -> None:
    with server.client() as client:
        health = client.get("/healthz").json()
    abi = landlockpy.abi_version()
    assert health["status"] == "ok" and health["jail_mode"] == "best-effort"
    assert health["jail"] == {
        "landlock": abi,
        "seccomp": True,
        "no_new_privs": True,
        "uid_separated": child_uid() != os.geteuid(),  # nobody, where nobody can read the installation
        "truncate_rule": abi >= 3,
        "network_rules": abi >= 4,
        "device_ioctl_rule": abi >= 5,
        "signal_scoping": abi >= 6,
        "abstract_unix_scoping": abi >= 6,
        "complete": abi > 0,
    }


async def get(settings: Settings, pool: SimpleNamespace, client: str) -> httpx.Response:
    """One request to the app with `pool` in place of the worker pool, from `client`'s address."""
    app = create_app(settings)
    app.state.pool = pool
    transport = httpx.ASGITransport(app=app, client=(client, 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gradtrace") as http:
        return await http.get("/healthz")


async def test_strict_mode_without_a_layer_is_503_with_the_reason() -> None:
    reason = "the sandbox cannot confine runs on this host (landlock unavailable); strict mode"
    pool = SimpleNamespace(machine=MACHINE, refusal=reason, jail=NO_LANDLOCK, running=0, waiting=0)
    response = await get(Settings(jail="strict"), pool, "127.0.0.1")
    assert response.status_code == 503
    assert response.json()["status"] == "refused" and response.json()["reason"] == reason
    assert response.json()["jail"]["complete"] is False


@pytest.mark.parametrize(
    ("jail", "client", "status"),
    [
        (NO_LANDLOCK, "203.0.113.7", 403),
        (NO_LANDLOCK, "127.0.0.1", 200),
        (NO_LANDLOCK, "::1", 200),
        (None, "203.0.113.7", 403),  # not known yet: not served either
        (WHOLE, "203.0.113.7", 200),
    ],
)
async def test_best_effort_answers_other_hosts_only_with_the_whole_jail(
    jail: JailReport | None, client: str, status: int
) -> None:
    pool = SimpleNamespace(machine=MACHINE, refusal=None, jail=jail, running=0, waiting=0, ready=True)
    response = await get(Settings(), pool, client)
    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["kind"] == "forbidden"

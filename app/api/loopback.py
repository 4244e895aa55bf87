"""Until the sandbox's jail is known to be whole (Landlock and seccomp in force in the children), answer only
clients on this machine: best-effort mode's "listen on localhost only", enforced in the app, whatever address
uvicorn was told to bind. A reverse proxy on the same host looks local here unless uvicorn is told to trust
its forwarded headers; a public deployment runs in strict mode (the Docker image does), which refuses to serve
at all without the jail."""

from __future__ import annotations

import ipaddress

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["LoopbackUntilJailed"]

MESSAGE = "this server's sandbox is incomplete on this host; it answers clients on the same machine only"


class LoopbackUntilJailed:
    """Pure ASGI middleware: 403 `forbidden` to a non-loopback client unless the pool's jail is complete."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _loopback(scope.get("client")) and not _jailed(scope):
            body = {"error": {"kind": "forbidden", "message": MESSAGE}, "graph": None}
            await JSONResponse(body, status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _loopback(client: tuple[str, int] | None) -> bool:
    if client is None:  # no peer address: a unix socket, on this machine
        return True
    try:
        return ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


def _jailed(scope: Scope) -> bool:
    pool = getattr(scope["app"].state, "pool", None)
    jail = getattr(pool, "jail", None)
    return jail is not None and bool(jail.complete)

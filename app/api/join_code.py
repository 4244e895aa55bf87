"""An optional join code for a class: with GRADTRACE_JOIN_CODE set, every route but /healthz asks for HTTP
Basic credentials whose password is the code (any user name, e.g. the student's). Browsers ask once and send
them with every later request to the server, the page's own fetches included; nothing else to build."""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.errors import error_response

__all__ = ["OPEN_PATHS", "JoinCode"]

OPEN_PATHS = frozenset({"/healthz"})  # probes of load balancers and Kubernetes carry no credentials
CHALLENGE = 'Basic realm="gradtrace", charset="UTF-8"'


class JoinCode:
    def __init__(self, app: ASGIApp, code: str) -> None:
        self.app = app
        self.code = code.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or self._admitted(Headers(scope=scope)):
            await self.app(scope, receive, send)
            return
        message = "this server needs the class's join code: give it as the password (any user name)"
        response = error_response("unauthorized", message, 401)
        response.headers["WWW-Authenticate"] = CHALLENGE
        await response(scope, receive, send)

    def _admitted(self, headers: Headers) -> bool:
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            _, _, password = base64.b64decode(encoded, validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(password, self.code)

"""413 for bodies over the cap, in the one error shape (FastAPI's own `max_body_size` answers plain text)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import error_response

__all__ = ["BodyLimit"]


class BodyLimit:
    """Refuse on a declared Content-Length before reading; count streamed (chunked) bodies as they arrive.

    `per_path` raises the cap for routes whose bodies are graphs rather than programs (POST /layout).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, per_path: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = dict(per_path or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.per_path.get(scope["path"], self.max_bytes)
        refusal = f"the request body is larger than {cap} bytes"
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            await error_response("body_too_large", refusal, 413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > cap:  # raised inside the route, so the HTTP error handler answers
                raise HTTPException(413, refusal)
            return message

        await self.app(scope, counted, send)

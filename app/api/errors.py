"""Every failure becomes one body shape, `{"error": {kind, message, line, col, ...}, "errors": [...],
"graph": ... | null}` (`errors` lists every problem found, the error first).

Nothing here echoes the request back: validation errors name the field, never its value.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from app.api.metrics import Metrics
from app.errors import Busy, GradtraceError, TooManyRequests, validation_message

__all__ = ["error_response", "install_error_handlers", "validation_message"]

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 1
HTTP_KINDS = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}


def error_response(
    kind: str, message: str, status: int, *, graph: dict[str, Any] | None = None, **place: int | None
) -> JSONResponse:
    info: dict[str, Any] = {"kind": kind, "message": message, "line": None, "col": None, "end_line": None}
    info = info | {"end_col": None} | place | {"frames": []}
    return JSONResponse({"error": info, "errors": [info], "graph": graph}, status_code=status)


async def on_gradtrace_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, GradtraceError)
    counted(request, error.kind)
    # the partial graph is the child's JSON bytes, forwarded as they came (never parsed in the server)
    response = Response(error.body_json(), status_code=error.status, media_type="application/json")
    if isinstance(error, Busy | TooManyRequests):
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if error.status >= 500:
        log.error("%s: %s", error.kind, error.message)
    return response


async def on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    counted(request, "invalid_request")
    return error_response("invalid_request", validation_message(error.errors()), 422)


async def on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    if error.status_code == 400:  # FastAPI's "error parsing the body" (e.g. an int of 5,000 digits): one kind
        counted(request, "invalid_request")
        return error_response("invalid_request", "the request body is not valid JSON", 422)
    kind = counted(request, HTTP_KINDS.get(error.status_code, "invalid_request"))
    return error_response(kind, str(error.detail), error.status_code)


async def on_unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    counted(request, "internal_error")
    return error_response("internal_error", "the server failed unexpectedly; this is logged", 500)


def counted(request: Request, kind: str) -> str:
    """`kind`, counted for /metrics."""
    metrics: Metrics = request.app.state.metrics
    metrics.count_error(kind)
    return kind


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(GradtraceError, on_gradtrace_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)

"""What load balancers and Prometheus ask: GET /healthz (ready only while the worker pool can run a job: warm,
children start, and the jail the warm-up probe found is allowed; with the jail per layer) and GET /metrics."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from app.api.dependencies import get_pool, get_service, get_settings_from_app
from app.api.metrics import CONTENT_TYPE, exposition
from app.api.service import Service
from app.sandbox.pool import Pool
from app.sandbox.protocol import JailReport
from app.settings import Settings

__all__ = ["Readiness", "router"]

router = APIRouter()


class Readiness(BaseModel):
    status: Literal["ok", "starting", "unavailable", "refused"]
    torch: str | None = None
    cuda: bool | None = None
    jail_mode: Literal["strict", "best-effort"]
    jail: JailReport | None = None  # per layer; None until the probe has run
    reason: str | None = None  # why a strict server refuses to serve, or why a warm pool cannot run a job now
    running: int = 0  # runs holding a worker now
    waiting: int = 0  # runs queued for one (beyond GRADTRACE_QUEUE of them: 503)


@router.get("/healthz", response_model=Readiness, responses={503: {"model": Readiness}})
async def healthz(
    pool: Annotated[Pool, Depends(get_pool)],
    settings: Annotated[Settings, Depends(get_settings_from_app)],
    response: Response,
) -> Readiness:
    """200 when runs can be served; 503 while the pool warms up or cannot start children (load balancers and
    Kubernetes wait for the 200), or for good when strict mode finds the jail incomplete. The counts say how
    busy the pool is (and let tests wait for a full queue instead of racing to fill it)."""
    jail = {"jail_mode": settings.jail, "jail": pool.jail}
    if pool.refusal is not None:
        response.status_code = 503
        return Readiness(status="refused", reason=pool.refusal, **jail)
    if pool.machine is None:
        response.status_code = 503
        return Readiness(status="starting", **jail)
    machine = {"torch": pool.machine.torch, "cuda": pool.machine.cuda}
    if not pool.ready:
        response.status_code = 503
        return Readiness(status="unavailable", reason=pool.start_failure, **machine, **jail)
    return Readiness(status="ok", running=pool.running, waiting=pool.waiting, **machine, **jail)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(service: Annotated[Service, Depends(get_service)]) -> PlainTextResponse:
    """Prometheus text format: runs, the pool's queue, errors by kind, the cache, the children's memory."""
    text = exposition(service.metrics, service.pool, service.cache, service.clients, service.layout_gate)
    return PlainTextResponse(text, media_type=CONTENT_TYPE)

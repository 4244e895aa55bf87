"""What load balancers and Prometheus ask: GET /healthz (ready only while the worker pool can run a job: warm,
and children start) and GET /metrics."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from app.api.dependencies import get_pool, get_service
from app.api.metrics import CONTENT_TYPE, exposition
from app.api.service import Service
from app.sandbox.pool import Pool

__all__ = ["Readiness", "router"]

router = APIRouter()


class Readiness(BaseModel):
    status: Literal["ok", "starting", "unavailable"]
    torch: str | None = None
    cuda: bool | None = None
    reason: str | None = None  # why a warm pool cannot run a job now (e.g. out of file descriptors)


@router.get("/healthz", response_model=Readiness, responses={503: {"model": Readiness}})
async def healthz(pool: Annotated[Pool, Depends(get_pool)], response: Response) -> Readiness:
    """200 when runs can be served; 503 while the pool warms up or cannot start children (load balancers
    and Kubernetes wait for the 200)."""
    if pool.machine is None:
        response.status_code = 503
        return Readiness(status="starting")
    torch, cuda = pool.machine.torch, pool.machine.cuda
    if not pool.ready:
        response.status_code = 503
        return Readiness(status="unavailable", torch=torch, cuda=cuda, reason=pool.start_failure)
    return Readiness(status="ok", torch=torch, cuda=cuda)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(service: Annotated[Service, Depends(get_service)]) -> PlainTextResponse:
    """Prometheus text format: runs, the pool's queue, errors by kind, the cache, the children's memory."""
    text = exposition(service.metrics, service.pool, service.cache, service.clients, service.layout_gate)
    return PlainTextResponse(text, media_type=CONTENT_TYPE)

"""GET /healthz: ready only while the worker pool can run a job (warm, and children start)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from app.api.dependencies import get_pool
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

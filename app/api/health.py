"""GET /healthz: ready only once the worker pool is warm (torch imported, children forked)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from app.api.dependencies import get_pool
from app.sandbox.pool import Pool

__all__ = ["Readiness", "router"]

router = APIRouter()


class Readiness(BaseModel):
    status: Literal["ok", "starting"]
    torch: str | None = None
    cuda: bool | None = None
    running: int = 0  # runs holding a worker now
    waiting: int = 0  # runs queued for one (beyond GRADTRACE_QUEUE of them: 503)


@router.get("/healthz", response_model=Readiness, responses={503: {"model": Readiness}})
async def healthz(pool: Annotated[Pool, Depends(get_pool)], response: Response) -> Readiness:
    """200 when runs can be served; 503 while the pool warms up (load balancers wait for the 200). The
    counts say how busy the pool is (and let tests wait for a full queue instead of racing to fill it)."""
    if pool.machine is None:
        response.status_code = 503
        return Readiness(status="starting")
    machine, running, waiting = pool.machine, pool.running, pool.waiting
    return Readiness(status="ok", torch=machine.torch, cuda=machine.cuda, running=running, waiting=waiting)

"""GET /healthz: ready only once the worker pool is warm (torch imported, children forked); the sandbox's jail
per layer, as the warm-up probe found it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from app.api.dependencies import get_pool, get_settings_from_app
from app.sandbox.pool import Pool
from app.sandbox.protocol import JailReport
from app.settings import Settings

__all__ = ["Readiness", "router"]

router = APIRouter()


class Readiness(BaseModel):
    status: Literal["ok", "starting", "refused"]
    torch: str | None = None
    cuda: bool | None = None
    jail_mode: Literal["strict", "best-effort"]
    jail: JailReport | None = None  # per layer; None until the probe has run
    reason: str | None = None  # why a strict server refuses to serve
    running: int = 0  # runs holding a worker now
    waiting: int = 0  # runs queued for one (beyond GRADTRACE_QUEUE of them: 503)


@router.get("/healthz", response_model=Readiness, responses={503: {"model": Readiness}})
async def healthz(
    pool: Annotated[Pool, Depends(get_pool)],
    settings: Annotated[Settings, Depends(get_settings_from_app)],
    response: Response,
) -> Readiness:
    """200 when runs can be served; 503 while the pool warms up (load balancers wait for the 200), or for good
    when strict mode finds the jail incomplete. The counts say how busy the pool is (and let tests wait for a
    full queue instead of racing to fill it)."""
    jail = {"jail_mode": settings.jail, "jail": pool.jail}
    if pool.refusal is not None:
        response.status_code = 503
        return Readiness(status="refused", reason=pool.refusal, **jail)
    if pool.machine is None:
        response.status_code = 503
        return Readiness(status="starting", **jail)
    machine, running, waiting = pool.machine, pool.running, pool.waiting
    return Readiness(
        status="ok", torch=machine.torch, cuda=machine.cuda, running=running, waiting=waiting, **jail
    )

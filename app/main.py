"""The ASGI app: `uvicorn app.main:app`. The lifespan starts and warms the sandboxed worker pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from app import __version__
from app.api import ROUTERS
from app.api.body_limit import BodyLimit
from app.api.cache import GZIP_LEVEL, GZIP_MIN_BYTES, ResponseCache
from app.api.errors import install_error_handlers
from app.api.fairness import ClientLimits
from app.api.gate import Gate
from app.api.headers import SecurityHeaders
from app.api.join_code import JoinCode
from app.api.loopback import LoopbackUntilJailed
from app.api.metrics import Metrics
from app.api.pages import STATIC_DIR
from app.api.schema import publish_request_models
from app.api.service import Service
from app.models import LayoutRequest
from app.sandbox.gpu_spare import prepare_gpu
from app.sandbox.graph_job import PRELOAD
from app.sandbox.jobs import serve
from app.sandbox.pool import Pool
from app.settings import Settings, get_settings, runs_per_client

__all__ = ["app", "create_app"]

PAYLOAD_OVERHEAD = 8_192  # bytes a task adds around the program (options, limits)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured app; its lifespan owns the worker pool (ready once warm, see /healthz)."""
    settings = settings or get_settings()

    cache = ResponseCache(settings.cache_bytes)
    clients = ClientLimits(
        header=settings.client_header, per_client=runs_per_client(settings), per_ip=settings.runs_per_ip
    )
    layout_gate = Gate("layout", running=settings.layout_workers, waiting=settings.layout_queue)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with make_pool(settings) as pool:
            app.state.pool = pool
            app.state.service = Service(pool, settings, cache, clients, metrics, layout_gate)
            yield

    app = FastAPI(
        title="gradtrace",
        version=__version__,
        summary="Run a small PyTorch program; see its autograd graph, values and gradients.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    install_error_handlers(app)
    publish_request_models(app, LayoutRequest)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        per_path={"/layout": settings.max_layout_body_bytes},
    )
    if settings.join_code is not None:
        app.add_middleware(JoinCode, code=settings.join_code.get_secret_value())
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)
    app.add_middleware(LoopbackUntilJailed)  # outermost: a refused client reaches nothing else
    return app


def make_pool(settings: Settings) -> Pool:
    """The production pool: graph and layout tasks, in children of a fork server with torch, the runner and
    the layout loaded."""
    return Pool(
        serve,
        workers=settings.workers,
        queue=settings.queue,
        prefork=settings.prefork,
        max_payload_bytes=max(settings.max_body_bytes, settings.max_layout_body_bytes) + PAYLOAD_OVERHEAD,
        preload=PRELOAD,
        gpu_prefork=settings.gpu_prefork,
        prepare_gpu=prepare_gpu,
        strict=settings.jail == "strict",
        prefill_bytes=min(settings.prefill_mb, settings.limits.memory_mb) << 20,
    )


app = create_app()

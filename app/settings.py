"""Server settings in one typed object; environment variables (prefix GRADTRACE_) only override."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.limits import Limits

__all__ = ["Settings", "get_settings", "runs_per_client"]


class Settings(BaseSettings):
    """Caps and pool sizes. Nested limits read as e.g. GRADTRACE_LIMITS__WALL_SECONDS=10."""

    model_config = SettingsConfigDict(
        env_prefix="GRADTRACE_", env_nested_delimiter="__", frozen=True, extra="forbid"
    )

    workers: int = Field(2, ge=1, description="runs executing at once (sandboxed child processes)")
    queue: int = Field(8, ge=0, description="requests allowed to wait for a worker; beyond: 503")
    prefork: int = Field(2, ge=0, description="children forked ahead of time, off the request path")
    gpu_prefork: int = Field(
        1, ge=0, description="children kept with the GPU prepared for CUDA runs (~0.5 GB of GPU memory each)"
    )
    prefill_mb: int = Field(
        1_900,
        ge=0,
        le=1_900,
        description="heap the next spare populates while the server is idle, at most (the most the last "
        "few runs grew by, when 32 MB or more): a program run again finds its memory faulted in; held while "
        "idle; 0: off",
    )
    max_body_bytes: int = Field(262_144, gt=0, description="request body size, bytes; beyond: 413")
    layout_workers: int = Field(1, ge=1, description="POST /layout requests laid out at once (in the pool)")
    layout_queue: int = Field(4, ge=0, description="POST /layout requests allowed to wait; beyond: 503")
    max_layout_body_bytes: int = Field(
        8 * 2**20, gt=0, description="POST /layout body (a graph without tensors), bytes; beyond: 413"
    )
    max_program_chars: int = Field(20_000, gt=0, description="program text size, characters")
    max_program_lines: int = Field(500, gt=0, description="program lines")
    max_result_bytes: int = Field(16 * 2**20, gt=0, description="JSON a worker may send back, bytes")
    scratch_mb: int = Field(64, gt=0, description="files one run may write in its scratch folder, MiB")
    jail: Literal["strict", "best-effort"] = Field(
        "best-effort",
        description="strict: refuse to serve (/healthz 503) unless runs get Landlock and seccomp; "
        "best-effort: serve without a missing layer, logged once, to loopback clients only",
    )
    limits: Limits = Field(default_factory=Limits, description="server caps for every run")
    # a class on one server (app.api.cache, app.api.fairness, app.api.join_code, app.api.headers)
    cache_bytes: int = Field(
        128 * 2**20, ge=0, description="graphs kept for repeated requests, bytes (0: off)"
    )
    client_header: str = Field("X-Gradtrace-Client", description="header carrying the page's client token")
    runs_per_client: int | None = Field(
        None, ge=1, description="runs one client may have going; beyond: 429. None: half the workers, >= 1"
    )
    runs_per_ip: int | None = Field(
        None, ge=1, description="runs one IP may have, all its clients together. None: no bound"
    )
    join_code: SecretStr | None = Field(
        None, description="password (HTTP Basic, any user name); not /healthz"
    )
    frame_ancestors: str = Field(
        "'none'",
        pattern=r"^[A-Za-z0-9'*:/.\-]+( [A-Za-z0-9'*:/.\-]+)*$",
        description='CSP frame-ancestors sources that may embed the page, e.g. "https://lms.example.org"',
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1", description="proxies whose X-Forwarded-For gives the client's IP (uvicorn's setting)"
    )
    # connections (app.api.connections, applied by `python -m app.serve`)
    header_timeout: float = Field(10.0, gt=0, description="seconds a request's headers may take to arrive")
    body_timeout: float = Field(60.0, gt=0, description="seconds a request's body may take after its headers")
    keep_alive: int = Field(5, ge=1, description="seconds an idle kept-alive connection stays open")
    max_connections: int | None = Field(
        None, ge=1, description="open connections; beyond: 503, closed. None: the file limit - 256, <= 1024"
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """One Settings per process (read once from the environment)."""
    return Settings()


def runs_per_client(settings: Settings) -> int:
    """The per-client limit in force: by default half the workers (at least one), so that one person never
    holds every worker."""
    return settings.runs_per_client or max(1, settings.workers // 2)

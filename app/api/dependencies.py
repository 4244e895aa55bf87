"""What routes get from the app: the worker pool, the settings it was made with, and the service around it
(made once the pool exists)."""

from __future__ import annotations

from fastapi import Request

from app.api.service import Service
from app.sandbox.pool import Pool
from app.settings import Settings

__all__ = ["get_pool", "get_service", "get_settings_from_app"]


def get_pool(request: Request) -> Pool:
    pool: Pool = request.app.state.pool
    return pool


def get_settings_from_app(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service

"""What routes get from the app: the worker pool and the settings it was made with."""

from __future__ import annotations

from fastapi import Request

from app.api.gate import Gate
from app.sandbox.pool import Pool
from app.settings import Settings

__all__ = ["get_layout_gate", "get_pool", "get_settings_from_app"]


def get_pool(request: Request) -> Pool:
    pool: Pool = request.app.state.pool
    return pool


def get_settings_from_app(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_layout_gate(request: Request) -> Gate:
    gate: Gate = request.app.state.layout_gate
    return gate

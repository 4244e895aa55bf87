"""HTTP layer: thin routes, one error body shape, security headers."""

from __future__ import annotations

from app.api import examples, graph, health, lesson, pages, values

__all__ = ["ROUTERS"]

ROUTERS = (
    graph.router,
    values.router,
    examples.router,
    health.router,
    pages.router,
    lesson.router,
)

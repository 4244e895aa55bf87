"""GET /: the page, rendered from templates/index.html (no inline scripts; the CSP forbids them)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app import __version__

__all__ = ["STATIC_DIR", "router"]

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "static"
templates = Jinja2Templates(directory=ROOT / "templates")

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def index(request: Request) -> HTMLResponse:
    """The editor, graph view and player; `version` busts caches of static files."""
    return templates.TemplateResponse(request, "index.html", {"version": __version__})

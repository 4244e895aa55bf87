"""GET /lesson: the lesson page without a graph; the page fills in the graph it shows and saves the file.

The page sends nothing: it holds the graph already (a GPT-2 graph is megabytes), so posting it back to be
wrapped would cost an upload, a body cap and a parse for what a text replacement in the browser does."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.lesson import lesson_shell

__all__ = ["router"]

router = APIRouter()


@router.get("/lesson", response_class=HTMLResponse)
async def lesson() -> HTMLResponse:
    """The lesson file's HTML (modules and styles inline) with the text `/*lesson-data*/` where a
    `{"program": ..., "graph": GraphResponse}` JSON goes, every "<" in it written as \\u003c."""
    return HTMLResponse(lesson_shell())

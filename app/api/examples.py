"""GET /examples: the built-in example programs, for clients and for the page's picker."""

from __future__ import annotations

from fastapi import APIRouter

from app.examples import EXAMPLES, Example

__all__ = ["router"]

router = APIRouter()


@router.get("/examples", response_model=list[Example])
async def examples() -> list[Example]:
    """Name, title, description and code of every example program."""
    return list(EXAMPLES)

"""POST /values: one page of one node's value or gradient, from a deterministic re-run in the sandbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.api.dependencies import get_service
from app.api.graph import ERRORS
from app.api.service import Service
from app.models import ValuesRequest, ValuesResponse

__all__ = ["router"]

router = APIRouter()


@router.post("/values", response_model=ValuesResponse, responses=ERRORS)
async def post_values(
    body: ValuesRequest, request: Request, service: Annotated[Service, Depends(get_service)]
) -> Response:
    """Re-run a program (same seed and options: same node ids) and answer a page of one node's numbers."""
    return await service.values(request, body)

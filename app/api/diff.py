"""POST /diff: two runs compared, node by node."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.api.dependencies import get_service
from app.api.graph import ERRORS
from app.api.service import Service
from app.models import DiffRequest, DiffResponse

__all__ = ["router"]

router = APIRouter()


@router.post("/diff", response_model=DiffResponse, responses=ERRORS)
async def post_diff(
    body: DiffRequest, request: Request, service: Annotated[Service, Depends(get_service)]
) -> Response:
    """Run two programs (a change's before and after: a learning rate, an activation, one line) as POST /graph
    does, and answer their nodes matched by program position with each one's value and gradient delta, the
    nodes only one run has, and both losses. An error's `side` says which program failed."""
    return await service.diff(request, body)

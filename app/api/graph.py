"""POST /graph, GET /graph/{hash}, POST /diff and POST /layout: thin routes over app.api.service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from app.api.dependencies import get_service
from app.api.service import Service
from app.models import DiffRequest, DiffResponse, ErrorBody, GraphRequest, GraphResponse, LayoutResponse

__all__ = ["ERRORS", "LAYOUT_REQUEST_SCHEMA", "router"]

router = APIRouter()

ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody} for status in (413, 422, 429, 500, 503)
}
# POST /layout's body is read as bytes and parsed in the sandbox; the schema is published all the same
# (app.api.schema puts LayoutRequest into the components)
LAYOUT_REQUEST_SCHEMA = {"$ref": "#/components/schemas/LayoutRequest"}
GraphHash = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="from a POST's Content-Location")]


@router.post("/graph", response_model=GraphResponse, responses=ERRORS)
async def post_graph(
    body: GraphRequest, request: Request, service: Annotated[Service, Depends(get_service)]
) -> Response:
    """Run a PyTorch program in a sandbox; answer its autograd graph with values, gradients and layout.
    A repeated request is answered from the cache; `Content-Location` names the graph's GET address."""
    return await service.graph(request, body)


@router.get("/graph/{key}", response_model=GraphResponse, responses={404: {"model": ErrorBody}})
async def get_graph(
    key: GraphHash, request: Request, service: Annotated[Service, Depends(get_service)]
) -> Response:
    """A graph a POST made, by its content hash, while the server keeps it (immutable; 404 once evicted)."""
    return await service.stored_graph(request, key)


@router.post(
    "/layout",
    response_model=LayoutResponse,
    responses=ERRORS,
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": LAYOUT_REQUEST_SCHEMA}}, "required": True}
    },
)
async def post_layout(request: Request, service: Annotated[Service, Depends(get_service)]) -> Response:
    """Lay a graph out again (e.g. with groups collapsed) without re-running anything; in a sandbox child,
    `layout_workers` at a time."""
    return await service.layout(request)


@router.post("/diff", response_model=DiffResponse, responses=ERRORS)
async def post_diff(
    body: DiffRequest, request: Request, service: Annotated[Service, Depends(get_service)]
) -> Response:
    """Run two programs (a change's before and after: a learning rate, an activation, one line) as POST /graph
    does, and answer their nodes matched by program position with each one's value and gradient delta, the
    nodes only one run has, and both losses. An error's `side` says which program failed."""
    return await service.diff(request, body)

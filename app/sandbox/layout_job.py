"""The POST /layout job: a graph the page holds, parsed and laid out again in a sandbox child.

The server only forwards the request's bytes: parsing megabytes of someone's JSON and laying out up to
LAYOUT_MAX_NODES nodes is user-driven work, which belongs where every other run's is (a 4,000-deep chain of
groups once cost the server's own threads ~98 s of CPU)."""

from __future__ import annotations

from pydantic import ValidationError

from app.errors import InvalidRequest, validation_message
from app.layout import relayout
from app.models import LayoutRequest

__all__ = ["run_layout"]


def run_layout(payload: bytes) -> bytes:
    """Child side: LayoutRequest JSON in, LayoutResponse JSON out; a bad request is a 422 naming its field."""
    try:
        request = LayoutRequest.model_validate_json(payload)
    except ValidationError as error:
        raise InvalidRequest(validation_message(error.errors())) from None
    return relayout(request).model_dump_json().encode()

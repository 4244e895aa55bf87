"""Teach the chain rule: local derivatives on every edge, gradient check, training runs, gradient health."""

from __future__ import annotations

from app.capture.records import Capture
from app.models import GraphResponse
from app.teach.chain import explain_backward
from app.teach.health import gradient_health

__all__ = ["annotate", "explain_backward", "gradient_health"]


def annotate(graph: GraphResponse, capture: Capture) -> None:
    """Chain-rule cards on every backward step and the gradient-health report, from the capture alone."""
    explain_backward(graph, capture)
    graph.health = gradient_health(graph, capture)

"""Graph: turn a capture into the response model (nodes, edges, groups, timeline, tensor payload)."""

from __future__ import annotations

from app.graph.build import build_graph

__all__ = ["build_graph"]

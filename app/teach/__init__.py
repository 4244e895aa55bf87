"""Teach the chain rule: local derivatives on every edge, gradient check, training runs, gradient health."""

from __future__ import annotations

from app.teach.chain import explain_backward

__all__ = ["explain_backward"]

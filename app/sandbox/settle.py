"""Imported last by the fork server, after the warm-up: what it loaded moves onto huge pages."""

from __future__ import annotations

import logging

from app.sandbox.hugepages import collapse_anonymous_memory

__all__: list[str] = []

log = logging.getLogger(__name__)

log.info("fork server memory on huge pages: %d MiB", collapse_anonymous_memory() >> 20)

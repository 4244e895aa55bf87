"""Imported last by the fork server, after the warm-up: the jail's lists are computed once for every child
(the library directories of everything loaded by now), then what it loaded moves onto huge pages."""

from __future__ import annotations

import logging

from app.sandbox.hugepages import collapse_anonymous_memory
from app.sandbox.jail import prime

__all__: list[str] = []

log = logging.getLogger(__name__)

prime()
log.info("fork server memory on huge pages: %d MiB", collapse_anonymous_memory() >> 20)

"""`python -m app.serve [--host H] [--port P | --fd N]`: uvicorn with the guards of app.api.connections.

The one way the server is started (`make run`, the container's CMD, the test servers), so that the header and
body deadlines and the connection cap always apply. (Run through app/serve/__main__.py: see why there.)
"""

from __future__ import annotations

import argparse
import logging
import resource

import uvicorn

from app.api.connections import FD_RESERVE, GuardedH11Protocol, effective_max_connections
from app.settings import get_settings

__all__ = ["main"]

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--fd", type=int, help="serve this socket, bound and listening (not host and port)")
    args = parser.parse_args(argv)
    settings = get_settings()
    soft_nofile, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    GuardedH11Protocol.max_connections = effective_max_connections(settings, soft_nofile)
    if GuardedH11Protocol.max_connections > soft_nofile - FD_RESERVE:
        log.warning(
            "GRADTRACE_MAX_CONNECTIONS=%d leaves fewer than %d of the %d file descriptors to the worker pool",
            GuardedH11Protocol.max_connections,
            FD_RESERVE,
            soft_nofile,
        )
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        fd=args.fd,
        http=GuardedH11Protocol,
        timeout_keep_alive=settings.keep_alive,
        forwarded_allow_ips=settings.forwarded_allow_ips,  # whose X-Forwarded-For names the client's IP
    )

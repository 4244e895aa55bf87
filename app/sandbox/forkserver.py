"""Starting multiprocessing's fork server with an empty environment, plus what it needs, passed explicitly.

Every child is a fork of the fork server, and a process's environment strings stay in its memory (and in
/proc/self/environ) after `os.environ` is cleared; so the fork server must never receive the web server's
environment, which may hold secrets. multiprocessing starts it (and its resource tracker) with the C
environment of the moment, so it is started here, once, with that environment swapped for `fork_server_env()`.

Its listening socket is a file-system unix socket (CPython 3.11: /tmp/pymp-*/listener-*, mode 0600) that
unpickles what it is sent: the jail keeps children from it (seccomp refuses socket and connect, and io_uring;
Landlock ABI 9 refuses connecting to file-system unix sockets too).
"""

from __future__ import annotations

import contextlib
import multiprocessing.forkserver
import os
from collections.abc import Iterator, Mapping, Sequence
from multiprocessing.context import ForkServerContext

__all__ = ["PASSED", "fork_server_env", "start_fork_server"]

# Passed on when set: where to find Python, the GPU driver's libraries, which GPUs; nothing secret.
PASSED = ("PATH", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "PYTHONDONTWRITEBYTECODE")
FIXED = {"LANG": "C.UTF-8"}


def fork_server_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The fork server's whole environment, given the web server's."""
    return FIXED | {name: environ[name] for name in PASSED if name in environ}


def start_fork_server(context: ForkServerContext, preload: Sequence[str]) -> None:
    """Start the fork server now (a no-op while one runs), with `preload` and only `fork_server_env`.
    Call before the server starts threads of its own: the environment is swapped for a moment."""
    context.set_forkserver_preload(list(preload))
    with _environment(fork_server_env(os.environ)):
        multiprocessing.forkserver.ensure_running()


@contextlib.contextmanager
def _environment(replacement: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(replacement)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)

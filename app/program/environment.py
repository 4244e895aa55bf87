"""What a program finds different in the sandbox, and is told about: one process, one thread.

A sandboxed run is one process on one core. `DataLoader(num_workers=4)` would fork workers that talk over
shared memory the jail does not allow, and changing torch's thread count after the fork server started OpenMP
hangs the run; so workers become 0 and thread counts stay, each with a note in the response. Restored after
the run (tests run programs in-process).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import torch
import torch.utils.data

__all__ = ["sandbox_environment"]


@contextlib.contextmanager
def sandbox_environment(notes: list[str]) -> Iterator[None]:
    """Within: DataLoader workers run in-process and thread-count changes are ignored, each noted once."""
    loader_init = torch.utils.data.DataLoader.__init__
    originals = {name: getattr(torch, name) for name in ("set_num_threads", "set_num_interop_threads")}

    def note(text: str) -> None:
        if text not in notes:
            notes.append(text)

    @functools.wraps(loader_init)
    def in_process_loader(self: Any, *args: Any, **kwargs: Any) -> None:
        workers = kwargs.get("num_workers", 0)
        if isinstance(workers, int) and workers > 0:
            note(f"DataLoader(num_workers={workers}) ran with num_workers=0: the sandbox runs one process")
            kwargs["num_workers"] = 0
            kwargs.pop("prefetch_factor", None)
            kwargs.pop("persistent_workers", None)
        loader_init(self, *args, **kwargs)

    def thread_count(name: str) -> Any:
        def ignored(count: int) -> None:
            note(f"torch.{name}({count}) was ignored: each sandboxed run has one CPU thread")

        return ignored

    torch.utils.data.DataLoader.__init__ = in_process_loader  # type: ignore[method-assign]
    for name in originals:
        setattr(torch, name, thread_count(name))
    try:
        yield
    finally:
        torch.utils.data.DataLoader.__init__ = loader_init  # type: ignore[method-assign]
        for name, original in originals.items():
            setattr(torch, name, original)

"""The C library's memory calls, typed once for ctypes (fork-server huge pages, children's prefaulting)."""

from __future__ import annotations

import ctypes
from functools import cache

__all__ = ["libc"]


@cache
def libc() -> ctypes.CDLL:
    """This process's C library (`errno` kept) with madvise, sbrk, malloc, free and malloc_trim typed for
    64-bit addresses."""
    library = ctypes.CDLL(None, use_errno=True)
    library.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    library.sbrk.restype = ctypes.c_void_p
    library.sbrk.argtypes = [ctypes.c_long]
    library.malloc.restype = ctypes.c_void_p
    library.malloc.argtypes = [ctypes.c_size_t]
    library.free.argtypes = [ctypes.c_void_p]
    if hasattr(library, "malloc_trim"):  # glibc only
        library.malloc_trim.argtypes = [ctypes.c_size_t]
    return library

"""Jobs with known behaviour for the pool tests: each one does one thing a user program might make happen."""

from __future__ import annotations

import ctypes
import errno  # noqa: F401  (these are for the programs run_source runs: imported before the jail)
import gc
import json
import mmap  # noqa: F401
import multiprocessing.reduction  # noqa: F401
import os
import pickle  # noqa: F401
import resource
import shutil  # noqa: F401
import signal  # noqa: F401
import socket  # noqa: F401
import subprocess  # noqa: F401
import tempfile
import threading  # noqa: F401
import time

from app.errors import ProgramRuntimeError

calls = 0  # module state: a fresh child must always see it at 0


def echo(payload: bytes) -> bytes:
    return payload


def count_calls(payload: bytes) -> bytes:
    global calls
    calls += 1
    return json.dumps({"calls": calls, "pid": os.getpid()}).encode()


def describe(payload: bytes) -> bytes:
    """Where and as whom the job runs."""
    return json.dumps(
        {
            "uid": os.getuid(),
            "cwd": os.getcwd(),
            "cwd_entries": os.listdir("."),
            "env": dict(os.environ),
            "tempdir": tempfile.gettempdir(),
            "fds": len(os.listdir("/proc/self/fd")),
            "core": resource.getrlimit(resource.RLIMIT_CORE),
            "fsize": resource.getrlimit(resource.RLIMIT_FSIZE),
            "cpu": resource.getrlimit(resource.RLIMIT_CPU),
            "sid_is_pid": os.getsid(0) == os.getpid(),
            "collecting": gc.isenabled(),
        }
    ).encode()


def spin(payload: bytes) -> bytes:
    while True:
        pass


def sleep(payload: bytes) -> bytes:
    time.sleep(float(payload or b"60"))
    return b"{}"


def allocate(payload: bytes) -> bytes:
    """Asks for as many MiB as the payload says, touching them."""
    block = bytearray(int(payload) * 2**20)
    return json.dumps({"size": len(block)}).encode()


def segfault(payload: bytes) -> bytes:
    ctypes.string_at(0)
    return b"{}"


def exit_silently(payload: bytes) -> bytes:
    os._exit(0)


def huge(payload: bytes) -> bytes:
    return b"[" + b"0," * int(payload) + b"0]"


def fail_in_program(payload: bytes) -> bytes:
    raise ProgramRuntimeError("shape mismatch", line=3, col=4, graph={"nodes": [{"id": "n0"}]})


def fail_out_of_memory(payload: bytes) -> bytes:
    message = "DefaultCPUAllocator: can't allocate memory: you tried to allocate 8 GB"
    raise ProgramRuntimeError(message, line=2)


prepared = False  # set by `prepare` in a spare prepared for the GPU
# `prepare` finishes only once this file is in the folder above its working directory (the scratch root
# its folder was made in): until a test puts it there, a spare is still preparing, on any machine
PREPARE_GATE = "spares-may-finish-preparing"


def gpu_probe(payload: bytes) -> bytes:
    """The warm-up probe of a machine whose children can use a GPU (this one's cannot: its runs are CPU)."""
    return json.dumps({"torch": "2.test", "cuda": True, "cuda_memory_mb": 1_024}).encode()


def prepare() -> None:
    """Spends a little over a CPU second, as preparing a real GPU does; says so once PREPARE_GATE is there."""
    global prepared
    start = time.process_time()
    while time.process_time() - start < 1.2:
        pass
    while not os.path.exists(os.path.join(os.pardir, PREPARE_GATE)):
        time.sleep(0.01)
    prepared = True


def preparation(payload: bytes) -> bytes:
    """Whether this child was prepared for the GPU, and what a run sees of it."""
    return json.dumps(
        {
            "prepared": prepared,
            "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
            "cpu": resource.getrlimit(resource.RLIMIT_CPU),
        }
    ).encode()


def run_source(payload: bytes) -> bytes:
    """Runs the payload as Python source in the jailed child, as the front end will run a user's program;
    the `result` it leaves comes back as JSON. Its modules are imported here, before the jail, because a child
    of a non-root server cannot read an installation under /root (tests/sandbox/pool_process.py)."""
    namespace: dict[str, object] = {}
    exec(payload.decode(), namespace)
    return json.dumps(namespace.get("result")).encode()

"""Confine a fresh child before it touches user input: own session, no env, no files, no root, rlimits."""

from __future__ import annotations

import os
import pwd
import resource

__all__ = ["apply_rlimits", "detach", "drop_privileges", "open_fd_count", "vm_size_bytes"]

MiB = 2**20
SPARE_FDS = 64  # files a run may open on top of what the child holds: lazy library loads, CUDA's own files
KEEP_ENV = ("LANG", "LC_ALL", "OMP_NUM_THREADS", "MKL_NUM_THREADS")  # what torch reads; nothing secret


def detach(keep_fd: int, workdir: str) -> None:
    """New session, stdio to /dev/null, a cleared environment, an empty cwd and only `keep_fd` left open."""
    os.setsid()
    _silence_stdio()
    kept = {name: os.environ[name] for name in KEEP_ENV if name in os.environ}
    os.environ.clear()
    os.environ.update(kept)
    os.chdir(workdir)
    os.closerange(3, keep_fd)
    os.closerange(keep_fd + 1, _max_fd())


def _silence_stdio() -> None:
    """Point fds 0-2 at /dev/null so nothing a run does reaches the server's terminal or logs."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _max_fd() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 65_536


def drop_privileges(user: str = "nobody") -> None:
    """When running as root, become an unprivileged user for good (gid first, then uid)."""
    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam(user)
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)


def vm_size_bytes() -> int:
    """This process's current address-space size (VmSize), the base the memory limit is added to."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise OSError("VmSize missing from /proc/self/status")


def open_fd_count() -> int:
    """How many file descriptors this process holds now."""
    return len(os.listdir("/proc/self/fd"))


def apply_rlimits(*, cpu_seconds: int, memory_mb: int | None) -> None:
    """CPU seconds from now (soft; hard one more), address space (None: skipped, e.g. CUDA), no core, no
    files. The CPU limit counts the process's whole life, and a spare prepared for the GPU spent some before
    its job came."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(usage.ru_utime + usage.ru_stime) + cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    if memory_mb is not None:
        limit = vm_size_bytes() + memory_mb * MiB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    files = open_fd_count() + SPARE_FDS
    resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

"""The plain-POSIX parts of a child's jail: own session, a fixed small environment, no inherited files, no
privileges, rlimits. (Landlock and seccomp are in their own modules; app/sandbox/jail.py puts them in
order.)"""

from __future__ import annotations

import ctypes
import os
import pwd
import resource
import stat
import tempfile
from functools import cache
from pathlib import Path

from app.sandbox.allowed import python_trees
from app.sandbox.libc import libc

__all__ = [
    "CHILD_USER",
    "apply_rlimits",
    "child_uid",
    "child_user_ids",
    "detach",
    "drop_privileges",
    "no_new_privileges",
    "open_fd_count",
    "tasks_of",
    "vm_size_bytes",
]

MiB = 2**20
SPARE_FDS = 64  # files a run may open on top of what the child holds: lazy library loads, CUDA's own files
CHILD_USER = "nobody"  # what a child becomes when the server runs as root
# nobody's ids where /etc/passwd has no such entry (slim CUDA images): the overflow ids every Linux reserves
OVERFLOW_IDS = (65534, 65534)
# Set in every child instead of anything inherited: what torch and Python read, nothing from the server.
# HOME and TMPDIR (and tempfile's cached choice) point at the run's scratch folder, the one place it may
# write.
FIXED_ENV = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
PASSED_ENV = (
    "CUDA_VISIBLE_DEVICES",
    "CUDA_DEVICE_ORDER",
)  # the operator's GPU choice (fork server: explicit)
PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS = 38, 39
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
CAPABILITY_VERSION_3 = 0x20080522


def detach(keep_fd: int, scratch: str) -> None:
    """New session, stdio to /dev/null, the fixed environment, the scratch folder as cwd, HOME and TMPDIR, and
    only `keep_fd` left open."""
    os.setsid()
    _silence_stdio()
    passed = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    os.environ.clear()
    os.environ.update(FIXED_ENV | passed | {"HOME": scratch, "TMPDIR": scratch})
    tempfile.tempdir = scratch  # tempfile caches its first choice: the fork server's /tmp
    os.chdir(scratch)
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


def no_new_privileges() -> bool:
    """Set no_new_privs (no set-uid or file capabilities ever again, here or in anything started later);
    whether it is set."""
    library = libc()
    library.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    return bool(library.prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)


@cache
def child_user_ids() -> tuple[int, int]:
    """`nobody`'s uid and gid, looked up once (in the fork server: a child under Landlock cannot read
    /etc/passwd); the kernel's overflow ids where the image names no `nobody`."""
    try:
        entry = pwd.getpwnam(CHILD_USER)
    except KeyError:
        return OVERFLOW_IDS
    return entry.pw_uid, entry.pw_gid


def child_uid() -> int:
    """The uid children run as: `nobody` when the server is root and `nobody` can read the installation,
    else the server's own."""
    return child_user_ids()[0] if _separable() else os.geteuid()


@cache
def _separable() -> bool:
    """Whether children can become `nobody`: the server is root and every tree a run reads (Python's, the
    packages', the libraries') is open to others. A Python under /root (pyenv, mode 0700) is not: `nobody`
    could not import the standard library lazily, so children keep uid 0 with no capability at all (Landlock,
    seccomp and the rlimits still hold them; README "Security" says what that changes)."""
    return os.geteuid() == 0 and all(_open_to_others(tree) for tree in python_trees())


def _open_to_others(path: str) -> bool:
    """Others may list `path` and pass through it and every directory above it."""
    current = Path(path)
    for directory in (current, *current.parents):
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH or (directory == current and not mode & stat.S_IROTH):
            return False
    return True


def drop_privileges() -> bool:
    """Become `nobody` for good when root and the installation allows it (gid and groups first, then uid:
    every capability goes with it); otherwise give up every capability. Whether the uid changed."""
    if not _separable():
        _drop_capabilities()
        return False
    uid, gid = child_user_ids()
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    return True


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _drop_capabilities() -> None:
    """Empty the ambient, effective, permitted and inheritable sets (a non-root server may hold some, e.g.
    CAP_DAC_READ_SEARCH given to read an installation under /root)."""
    library = libc()
    library.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(CAPABILITY_VERSION_3, 0)
    nothing = (_CapData * 2)()
    if library.capset(ctypes.byref(header), nothing) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


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


def tasks_of(uid: int) -> int:
    """Threads of every process of `uid` now: what RLIMIT_NPROC counts for a child of that uid (~1.5 ms for 80
    processes; run by the server, which may read every /proc entry)."""
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid != uid:
                continue
            with open(f"/proc/{name}/stat", "rb") as stat:
                total += int(stat.read().rsplit(b")", 1)[1].split()[17])  # field 20: num_threads
        except (OSError, ValueError, IndexError):  # gone meanwhile
            continue
    return total


def apply_rlimits(
    *, cpu_seconds: int, memory_mb: int | None, file_bytes: int, tasks: int | None, reserved: int = 0
) -> None:
    """CPU seconds from now (soft; hard one more), address space (None: skipped, e.g. CUDA) of `memory_mb`
    more than now, less the `reserved` bytes already held free for the run, no core, files up to
    `file_bytes` each, threads up to `tasks` for the whole uid (None: unchanged). The CPU limit counts the
    process's whole life, and a spare spent some before its job came (preparing the GPU, a prefill)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(usage.ru_utime + usage.ru_stime) + cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    if memory_mb is not None:
        limit = vm_size_bytes() - reserved + memory_mb * MiB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    if tasks is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (tasks, tasks))
    files = open_fd_count() + SPARE_FDS
    resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

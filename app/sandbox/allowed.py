"""What a jailed child may touch on the file system: the lists Landlock enforces (app/sandbox/landlock.py).

Read-only: the Python installation and the packages it imports (stdlib, lib-dynload, site-packages: torch and
the stack), the gradtrace package, the directories of the shared libraries already loaded (a later dlopen of a
sibling library still works), the loader's cache, the data folder, and the child's own /proc entry. Read and
write: /dev/null, and the run's scratch folder. Nothing else: /etc, /home, /root, /tmp, other processes' /proc
entries, /sys. CUDA runs add the NVIDIA devices and driver files in `CUDA`, the one place they are listed.

The trees are computed once, in the fork server (`python_trees` is primed at preload), so that a child pays
only for opening each path.
"""

from __future__ import annotations

import glob
import os
import site
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import app

__all__ = ["CUDA", "DATA_DIR", "Allowed", "allowed_for", "python_trees"]

# Tiny read-only datasets a program may open (filled by the front end); allowed only where it exists.
DATA_DIR = Path(app.__file__).resolve().parent / "data"
LOADER_CACHE = "/etc/ld.so.cache"  # dlopen by soname (libcuda.so.1, a ctypes.CDLL("libm.so.6")) reads it
OWN_PROC = "/proc/self"  # resolved in the child: its own /proc/<pid> (status, maps, fd), never another's
DEV_NULL = "/dev/null"
RANDOM_DEVICES = ("/dev/urandom", "/dev/random")  # os.urandom uses getrandom(2); C libraries open these


@dataclass(frozen=True)
class CudaFiles:
    """What the CUDA driver opens besides the Python trees, from NVIDIA's documented device files and the
    driver's /proc and /sys interfaces; checked on an H200 (tests/cuda, 2026-12-04). Globs: whichever of them
    exist on the host."""

    devices: tuple[str, ...] = (
        "/dev/nvidiactl",  # the control device every process opens first
        "/dev/nvidia[0-9]*",  # one per GPU
        "/dev/nvidia-uvm",  # unified memory: cudaMalloc goes through it
        "/dev/nvidia-uvm-tools",
        "/dev/nvidia-modeset",
    )
    device_trees: tuple[str, ...] = ("/dev/nvidia-caps",)  # MIG capability files (read)
    read_trees: tuple[str, ...] = (
        "/proc/driver/nvidia",  # driver version, GPU and capability information, params
        "/sys/bus/pci/devices",  # the GPUs' PCI functions (links into /sys/devices)
        "/sys/devices",  # their NUMA node, resources and the CPU topology the driver reads
        "/sys/module/nvidia",  # the kernel module's version
        "/usr/lib/x86_64-linux-gnu",  # libcuda.so.1 and the driver's other user-space libraries
        "/usr/lib64",
        "/usr/local/nvidia/lib64",  # where Kubernetes' and NVIDIA's container tooling mount them
        "/usr/local/cuda",
    )
    read_files: tuple[str, ...] = ("/proc/devices",)  # the uvm device's major number
    # the driver opens a file of its own process's /proc for writing, with O_TRUNC: without write and
    # truncate there cudaGetDeviceCount fails with error 304 (seen on an H200, driver 580.159.04, 2026-12-04)
    own_writes: tuple[str, ...] = ("/proc/self",)


CUDA = CudaFiles()


@dataclass(frozen=True)
class Allowed:
    """The paths of one child's Landlock rules, by the rights each gets."""

    read_trees: tuple[str, ...]  # directories: read files, list directories
    read_files: tuple[str, ...]  # single files: read
    devices: tuple[str, ...]  # character devices: read and write, and ioctl where `ioctl_devices`
    ioctl_devices: tuple[str, ...]
    own_writes: tuple[str, ...]  # the process's own /proc files: read, write, truncate (CUDA runs only)
    scratch: str  # the run's own folder: create, write, remove files and folders


def allowed_for(scratch: str, *, cuda: bool) -> Allowed:
    """The rules for a child whose scratch folder is `scratch`; CUDA runs add the driver's files."""
    read_trees = list(python_trees())
    read_files = [LOADER_CACHE, *RANDOM_DEVICES]
    ioctl_devices: list[str] = []
    own_writes: tuple[str, ...] = ()
    if DATA_DIR.is_dir():
        read_trees.append(str(DATA_DIR))
    read_trees.append(OWN_PROC)
    if cuda:
        ioctl_devices = _existing(CUDA.devices)
        read_trees += _existing(CUDA.device_trees + CUDA.read_trees)
        read_files += _existing(CUDA.read_files)
        own_writes = CUDA.own_writes
    return Allowed(
        read_trees=tuple(dict.fromkeys(read_trees)),
        read_files=tuple(path for path in read_files if os.path.exists(path)),
        devices=(DEV_NULL,),
        ioctl_devices=tuple(ioctl_devices),
        own_writes=own_writes,
        scratch=scratch,
    )


@cache
def python_trees() -> tuple[str, ...]:
    """The interpreter's and packages' directories and those of every shared library this process has
    loaded, outermost first, without the ones nested in another (computed once, in the fork server)."""
    names = ("stdlib", "platstdlib", "purelib", "platlib")
    trees = {sysconfig.get_path(name) for name in names}
    trees |= {
        sysconfig.get_path(name, vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})
        for name in names
    }
    trees |= set(site.getsitepackages())
    trees.add(str(sysconfig.get_config_var("DESTSHARED") or ""))
    trees.add(str(Path(app.__file__).resolve().parent))
    trees |= _library_directories()
    real = {os.path.realpath(tree) for tree in trees if tree and os.path.isdir(tree)}
    return tuple(sorted(tree for tree in real if not any(_inside(tree, other) for other in real)))


def _library_directories() -> set[str]:
    """Directories of the files this process maps executable: the interpreter, libc, torch's libraries."""
    directories = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and "x" in fields[1] and fields[5].startswith("/"):
                path = fields[5].rstrip("\n")
                if not path.endswith(" (deleted)") and not _inside(path, tempfile.gettempdir()):
                    directories.add(os.path.dirname(path))
    return directories


def _inside(path: str, other: str) -> bool:
    return path != other and path.startswith(other.rstrip("/") + "/")


def _existing(patterns: tuple[str, ...]) -> list[str]:
    return sorted(path for pattern in patterns for path in glob.glob(pattern))

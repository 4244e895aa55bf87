"""Process facts from /proc for the server tests: resident memory and the sandbox's worker children."""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[int]:
    """Direct children of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def workers(server_pid: int) -> list[int]:
    """The sandbox children: grandchildren of the server (children of its fork server)."""
    return [child for middle in children(server_pid) for child in children(middle)]


def running_workers(server_pid: int) -> set[int]:
    """The sandbox children that took a job and have not ended: a run's rlimits are on (its CPU time is
    bounded, which a pre-forked child waiting for its job inherits unbounded from the fork server), and a
    child that exited is no longer listed (or is a zombie). A state, unlike CPU time used, that does not
    depend on how fast the machine is."""
    return {
        pid
        for middle in children(server_pid)
        for pid in children(middle)
        if _took_a_job(pid, _cpu_limit(middle))
    }


def _took_a_job(pid: int, unbounded: str | None) -> bool:
    try:
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    except OSError:  # it ended meanwhile
        return False
    limit = _cpu_limit(pid)
    return limit is not None and unbounded is not None and limit != unbounded


def _cpu_limit(pid: int) -> str | None:
    """The "Max cpu time" line of /proc/PID/limits, or None once the process is gone."""
    try:
        limits = Path(f"/proc/{pid}/limits").read_text().splitlines()
    except OSError:
        return None
    return next(line for line in limits if line.startswith("Max cpu time"))


def cpu_ticks(pid: int, *, children: bool = False) -> int:
    """CPU time in clock ticks (1/100 s); with `children`, also that of its reaped children (bench.http)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11 : 15 if children else 13])  # utime stime [cutime cstime]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise OSError(f"no VmRSS for {pid}")


def command(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))

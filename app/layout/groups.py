"""The module tree of a graph's groups: parents, ancestor chains and depths, safe against bad parent links."""

from __future__ import annotations

from collections.abc import Iterable

from app.models import Group


class GroupTree:
    """Answers "which groups enclose this one" for the groups of one graph (unknown ids have no ancestors)."""

    def __init__(self, groups: Iterable[Group]) -> None:
        self.groups = {group.id: group for group in groups}
        self._chains: dict[str, tuple[str, ...]] = {}

    def chain(self, gid: str | None) -> tuple[str, ...]:
        """`gid` and its ancestors, outermost first; () for None or an unknown id."""
        if gid is None or gid not in self.groups:
            return ()
        cached = self._chains.get(gid)
        if cached is None:
            cached = self._walk_up(gid)
            self._chains[gid] = cached
        return cached

    def _walk_up(self, gid: str) -> tuple[str, ...]:
        """Follow parent links until a root, an unknown id, or a loop (a request may carry any links)."""
        path: list[str] = []
        current: str | None = gid
        while current is not None and current in self.groups and current not in path:
            path.append(current)
            current = self.groups[current].parent
        return tuple(reversed(path))

    def depth(self, gid: str) -> int:
        """0 for a root group."""
        return len(self.chain(gid)) - 1


def shared_depth(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """How many outer groups two chains have in common."""
    depth = 0
    while depth < min(len(a), len(b)) and a[depth] == b[depth]:
        depth += 1
    return depth

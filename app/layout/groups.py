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
        if gid not in self._chains:
            self._fill(gid)
        return self._chains[gid]

    def _fill(self, gid: str) -> None:
        """Walk up to the first group whose chain is known, a root, an unknown id or a loop (a request may
        carry any links; a loop is cut where the walk meets it), then fill the chains on the way down. Each
        parent link is followed once in the tree's life: rescanning chains made 4,000 nested groups O(G^3)."""
        path: list[str] = []
        seen: set[str] = set()
        current: str | None = gid
        while current is not None and current in self.groups and current not in self._chains:
            if current in seen:
                break
            path.append(current)
            seen.add(current)
            current = self.groups[current].parent
        above = self._chains.get(current, ()) if current is not None and current not in seen else ()
        for member in reversed(path):
            above = (*above, member)
            self._chains[member] = above

    def depth(self, gid: str) -> int:
        """0 for a root group."""
        return len(self.chain(gid)) - 1


def shared_depth(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """How many outer groups two chains have in common."""
    depth = 0
    while depth < min(len(a), len(b)) and a[depth] == b[depth]:
        depth += 1
    return depth

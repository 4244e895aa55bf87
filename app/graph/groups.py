"""Module groups: the nn.Module tree the program named, with how many nodes each module holds."""

from __future__ import annotations

from collections import Counter

from app.capture.records import ModuleInfo
from app.models import Group, Node

__all__ = ["module_groups"]


def module_groups(modules: dict[str, ModuleInfo], nodes: list[Node]) -> list[Group]:
    """One group per module path (parents first); `members` counts nodes directly or indirectly inside."""
    direct = Counter(node.group for node in nodes if node.group is not None)
    members: Counter[str] = Counter()
    for path, count in direct.items():
        ancestor: str | None = path
        while ancestor is not None and ancestor in modules:
            members[ancestor] += count
            ancestor = modules[ancestor].parent
    return [
        Group(
            id=info.path,
            label=f"{info.path} ({info.module})",
            module=info.module,
            parent=info.parent,
            members=members[info.path],
            params=info.params,
        )
        for info in modules.values()
    ]

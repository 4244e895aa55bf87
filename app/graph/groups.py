"""Groups: the nn.Module tree the program named, and the program's calls that have internals.

`members` counts the nodes directly or indirectly inside. A call's group sits in the module it ran in; the
module groups come parents first, then the call groups."""

from __future__ import annotations

from collections import Counter

from app.capture.records import ModuleInfo
from app.graph.calls import CallView
from app.models import Group, Node, Span

__all__ = ["call_groups", "module_groups"]


def call_groups(views: dict[int, CallView], modules: dict[str, ModuleInfo]) -> list[Group]:
    """One collapsed group per call with internals, labelled in the program's words."""
    groups: list[Group] = []
    for view in views.values():
        if not view.is_group:
            continue
        call = view.call
        span = call.span
        groups.append(
            Group(
                id=view.group_id,
                kind="call",
                label=view.label,
                module=call.fn,
                parent=call.group if call.group in modules else None,
                collapsed=True,
                span=Span(line=span[0], col=span[1], end_line=span[2], end_col=span[3]) if span else None,
                outputs=[f"n{i}" for i in view.outputs],
            )
        )
    return groups


def module_groups(modules: dict[str, ModuleInfo], nodes: list[Node], calls: list[Group]) -> list[Group]:
    """Module groups (parents first) and then `calls`, each with the count of nodes inside it."""
    parents: dict[str, str | None] = {path: info.parent for path, info in modules.items()}
    parents.update({call.id: call.parent for call in calls})
    direct = Counter(node.group for node in nodes if node.group is not None)
    members: Counter[str] = Counter()
    for gid, count in direct.items():
        ancestor: str | None = gid
        while ancestor is not None and ancestor in parents:
            members[ancestor] += count
            ancestor = parents[ancestor]
    module_list = [
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
    return module_list + [call.model_copy(update={"members": members[call.id]}) for call in calls]

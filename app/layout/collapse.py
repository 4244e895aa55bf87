"""The collapse state a big graph opens in: fold the deepest, biggest groups until few boxes remain."""

from __future__ import annotations

from collections import defaultdict

from app.layout.groups import GroupTree
from app.models import GraphResponse


def default_collapsed(graph: GraphResponse, max_visible: int = 150) -> list[str]:
    """Group ids to collapse so at most ~max_visible boxes show; [] when the graph already fits.

    Every call of the program with internals is one box (its group's kind is `call`). Then it works from
    the deepest level up (a Linear inside an attention inside a block goes first, so expanding a
    parent shows its children folded); within a level, all groups of one module class fold together (every
    block looks the same), the class that saves most first; stops as soon as the count fits. A graph of
    more nodes than that also has its folded stacks closed (the outline).
    """
    tree = GroupTree(graph.groups)
    inside = _node_counts(graph, tree)  # boxes each group shows now; a collapsed one counts 1
    visible = len(graph.nodes)
    big = visible > max_visible  # opens as the outline, even when its calls' boxes alone would fit
    chosen = [group.id for group in graph.groups if group.kind == "call"]  # a call is one box by default
    for gid in chosen:
        visible -= _collapse(tree, inside, gid)
    depths = sorted({tree.depth(gid) for gid in tree.groups}, reverse=True)
    for depth in depths:
        for cohort in _cohorts(tree, inside, depth):
            if visible <= max_visible:
                return _outline(graph, chosen, big)
            chosen.extend(cohort)
            visible -= sum(_collapse(tree, inside, gid) for gid in cohort)
    return _outline(graph, chosen, big)


def _outline(graph: GraphResponse, chosen: list[str], big: bool) -> list[str]:
    """A big graph opens as an outline: each folded stack of blocks is one box ("blocks × 12"), its blocks
    collapsed inside it (chosen above): opening the stack shows the blocks, opening one shows its insides."""
    folds = [group.id for group in graph.groups if group.repeat > 1] if big else []
    return sorted({*chosen, *folds})


def _cohorts(tree: GroupTree, inside: dict[str, int], depth: int) -> list[list[str]]:
    """Module groups at `depth` that hide more than one box, by module class; the class that saves most
    first."""
    cohorts: dict[str, list[str]] = defaultdict(list)
    for gid, group in sorted(tree.groups.items()):
        if tree.depth(gid) == depth and inside[gid] > 1 and group.kind == "module":
            cohorts[group.module].append(gid)
    order = sorted(cohorts, key=lambda module: (-sum(inside[gid] - 1 for gid in cohorts[module]), module))
    return [cohorts[module] for module in order]


def _collapse(tree: GroupTree, inside: dict[str, int], gid: str) -> int:
    """Fold one group: update the counts of it and its ancestors; returns the boxes saved."""
    saved = inside[gid] - 1
    for ancestor in tree.chain(gid):
        inside[ancestor] -= saved
    return saved


def _node_counts(graph: GraphResponse, tree: GroupTree) -> dict[str, int]:
    """Nodes directly or indirectly inside each group."""
    counts = dict.fromkeys(tree.groups, 0)
    for node in graph.nodes:
        for gid in tree.chain(node.group):
            counts[gid] += 1
    return counts

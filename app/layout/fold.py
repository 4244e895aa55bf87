"""Folding repeated blocks: consecutive identical sibling modules (`blocks.0` ... `blocks.11`) get a stack.

A stack is a new group (`blocks[0-11]`, label `blocks × 12 (Block)`, repeat 12) that becomes the parent of
the blocks; collapsed, its one box stands for all of them, expanded it shows the blocks. Nodes keep their
`group`; only the blocks' `parent` changes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable

from app.layout.calls import split_calls
from app.layout.groups import GroupTree
from app.models import GraphResponse, Group

INDEXED = re.compile(r"^(?P<prefix>.+)\.(?P<index>\d+)$")  # "blocks.3" -> ("blocks", 3)


def fold_repeats(graph: GraphResponse) -> GraphResponse:
    """A copy of `graph` with each module call its own group (calls.py) and a stack group over every run of
    >= 2 identical consecutive sibling blocks."""
    graph = split_calls(graph)
    tree = GroupTree(graph.groups)
    signature = _signatures(graph, tree)
    stacks: dict[str, Group] = {}  # first block of a run -> its stack
    stack_of: dict[str, str] = {}  # block -> its stack's id
    for run in _runs(tree, signature):
        stack = _stack(tree, run)
        stacks[run[0]] = stack
        stack_of.update(dict.fromkeys(run, stack.id))
    groups: list[Group] = []
    for group in graph.groups:
        if group.id in stacks:
            groups.append(stacks[group.id])
        groups.append(
            group.model_copy(update={"parent": stack_of[group.id]}) if group.id in stack_of else group
        )
    return graph.model_copy(update={"groups": groups})


def _signatures(graph: GraphResponse, tree: GroupTree) -> dict[str, tuple[Hashable, ...]]:
    """Per group: its nodes in forward order as (where inside the group, kind, op, fn, output, shape), every
    name relative to the group (block 3's `blocks.3.attn.c_attn` is block 4's `blocks.4.attn.c_attn`)."""
    members: dict[str, list[Hashable]] = defaultdict(list)
    places: dict[tuple[str, str], tuple[str, ...]] = {}  # (node's group, enclosing group) -> where inside
    for node in graph.nodes:
        shape = tuple(node.shape)
        for gid in tree.chain(node.group):
            assert node.group is not None  # a non-empty chain starts from the node's group
            where = places.get((node.group, gid))
            if where is None:
                where = places[(node.group, gid)] = _inside(tree, node.group, gid)
            members[gid].append((where, node.kind, node.op, _relative(node.fn, gid), node.output_nr, shape))
    return {gid: tuple(members[gid]) for gid in tree.groups}


def _inside(tree: GroupTree, group: str, outer: str) -> tuple[str, ...]:
    """The groups from `outer` (exclusive) down to `group`, each named relative to `outer`: a call by the
    function it called, a module by its path."""
    chain = tree.chain(group)  # outermost first
    below = chain[chain.index(outer) + 1 :]
    groups = [tree.groups[gid] for gid in below]
    return tuple(_relative(g.module if g.kind == "call" else g.id, outer) or "" for g in groups)


def _relative(name: str | None, outer: str) -> str | None:
    return name[len(outer) + 1 :] if name is not None and name.startswith(outer + ".") else name


def _runs(tree: GroupTree, signature: dict[str, tuple[Hashable, ...]]) -> list[list[str]]:
    """Runs of >= 2 siblings `prefix.i`, `prefix.i+1`, ... with one module class and one signature."""
    siblings: dict[tuple[str | None, str], list[tuple[int, str]]] = defaultdict(list)
    for gid, group in tree.groups.items():
        match = INDEXED.match(gid)
        parent = tree.groups.get(group.parent) if group.parent is not None else None
        if match and signature[gid] and (parent is None or parent.repeat == 1):
            siblings[(group.parent, match["prefix"])].append((int(match["index"]), gid))
    runs: list[list[str]] = []
    for key in sorted(siblings, key=lambda k: (k[0] or "", k[1])):
        runs.extend(_consecutive(tree, signature, sorted(siblings[key])))
    return [run for run in runs if len(run) >= 2]


def _consecutive(
    tree: GroupTree, signature: dict[str, tuple[Hashable, ...]], indexed: list[tuple[int, str]]
) -> list[list[str]]:
    """Split sorted (index, id) siblings wherever the index jumps or the block differs from the previous."""
    runs: list[list[str]] = []
    previous: tuple[int, str] | None = None
    for index, gid in indexed:
        if previous is None or not _same_block(tree, signature, previous, (index, gid)):
            runs.append([])
        runs[-1].append(gid)
        previous = (index, gid)
    return runs


def _same_block(
    tree: GroupTree, signature: dict[str, tuple[Hashable, ...]], a: tuple[int, str], b: tuple[int, str]
) -> bool:
    """b directly follows a and repeats it: same module class, same op sequence."""
    same_module = tree.groups[a[1]].module == tree.groups[b[1]].module
    return b[0] == a[0] + 1 and same_module and signature[a[1]] == signature[b[1]]


def _stack(tree: GroupTree, run: list[str]) -> Group:
    """The stack group over one run of blocks."""
    first, last = tree.groups[run[0]], tree.groups[run[-1]]
    match, end = INDEXED.match(first.id), INDEXED.match(last.id)
    assert match is not None and end is not None  # runs hold indexed ids only
    prefix = match["prefix"]
    return Group(
        id=f"{prefix}[{match['index']}-{end['index']}]",
        label=f"{prefix} × {len(run)} ({first.module})",
        module=first.module,
        parent=first.parent,
        members=sum(tree.groups[gid].members for gid in run),
        params=sum(tree.groups[gid].params for gid in run),
        repeat=len(run),
    )

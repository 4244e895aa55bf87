"""Separate calls: a module run in several places (a shared Dropout, a second forward pass) gets one group
per call, so that no frame stretches across the drawing to hold far-apart ops.

A group's calls are the connected parts of its computed members (op, output and saved nodes), joined by the
edges between them and by being outputs of one op (consecutive nodes, output_nr 0, 1, ...). Leaves (params,
inputs, consts) join the call of their first neighbour. The first call keeps the group; call k >= 2 becomes
`id#k`, labelled `... (call k)`, and the groups nested in it are copied under it (`blocks.0.attn#2`).
"""

from __future__ import annotations

from collections import defaultdict

from app.layout.groups import GroupTree
from app.models import GraphResponse, Group

__all__ = ["split_calls"]

ATTACHED = frozenset({"param", "input", "const"})  # joins the call of its first neighbour


def split_calls(graph: GraphResponse) -> GraphResponse:
    """A copy of `graph` where every group whose members are not one connected call is split per call."""
    tree = GroupTree(graph.groups)
    chains = [list(tree.chain(node.group)) for node in graph.nodes]
    groups = dict(tree.groups)
    neighbours = _neighbours(graph)
    computed = [node.kind not in ATTACHED for node in graph.nodes]
    follows = [node.output_nr > 0 for node in graph.nodes]  # a further output of the op just before it
    members = _members(chains)
    queue = sorted(groups, key=tree.depth)
    while queue:
        gid = queue.pop(0)
        inside = sorted(members[gid])
        calls = _calls(inside, computed, follows, neighbours)
        depth = chains[inside[0]].index(gid) if inside else 0  # its place in any member's chain
        for number, call in enumerate(calls[1:], start=2):
            queue.extend(_copy_call(groups, chains, members, call, depth, number))
    if len(groups) == len(tree.groups):
        return graph
    nodes = [  # only the nodes of a copied call change group
        node.model_copy(update={"group": chain[-1]}) if chain and chain[-1] != node.group else node
        for node, chain in zip(graph.nodes, chains, strict=True)
    ]
    counted = [group.model_copy(update={"members": len(members[group.id])}) for group in groups.values()]
    return graph.model_copy(update={"nodes": nodes, "groups": counted})


def _members(chains: list[list[str]]) -> dict[str, set[int]]:
    """Group id -> indices of the nodes inside it at any depth (kept up to date as calls are copied)."""
    inside: dict[str, set[int]] = defaultdict(set)
    for i, chain in enumerate(chains):
        for gid in chain:
            inside[gid].add(i)
    return inside


def _neighbours(graph: GraphResponse) -> dict[int, list[int]]:
    """Node index -> indices of nodes joined to it by an edge, either way."""
    index = {node.id: i for i, node in enumerate(graph.nodes)}
    joined: dict[int, list[int]] = defaultdict(list)
    for edge in graph.edges:
        source, target = index.get(edge.source), index.get(edge.target)
        if source is not None and target is not None:
            joined[source].append(target)
            joined[target].append(source)
    return joined


def _calls(
    members: list[int], computed: list[bool], follows: list[bool], neighbours: dict[int, list[int]]
) -> list[list[int]]:
    """The members split into connected calls, in forward order; leaves follow their first neighbour."""
    joined = [i for i in members if computed[i]]
    root = {i: i for i in joined}
    for i in joined:
        for j in neighbours.get(i, ()):
            if j < i and j in root:  # each edge once, from its later end
                _union(root, i, j)
        if follows[i] and i - 1 in root:  # the outputs of one op are consecutive nodes
            _union(root, i, i - 1)
    parts: dict[int, list[int]] = defaultdict(list)
    for i in members:
        anchor = i if i in root else min((j for j in neighbours.get(i, ()) if j in root), default=None)
        parts[_find(root, anchor) if anchor is not None else -1].append(i)
    first = parts.pop(-1, [])
    calls = sorted(parts.values(), key=min)
    return [sorted(first + calls[0]), *calls[1:]] if calls else [first]


def _find(root: dict[int, int], i: int) -> int:
    while root[i] != i:
        root[i] = root[root[i]]
        i = root[i]
    return i


def _union(root: dict[int, int], a: int, b: int) -> None:
    a, b = _find(root, a), _find(root, b)
    if a != b:
        root[max(a, b)] = min(a, b)


def _copy_call(
    groups: dict[str, Group],
    chains: list[list[str]],
    members: dict[str, set[int]],
    call: list[int],
    depth: int,
    number: int,
) -> list[str]:
    """Move one call's nodes into copies of the split group and of the groups nested in it; the new ids."""
    made: list[str] = []
    for i in call:
        chain = chains[i]
        for level in range(depth, len(chain)):
            original = groups[chain[level]]
            copy_id = _fresh_id(groups, f"{original.id}#{number}", made)
            if copy_id not in groups:
                parent = chains[i][level - 1] if level > 0 else None
                label = f"{original.label} (call {number})" if level == depth else original.label
                update = {"id": copy_id, "parent": parent, "label": label}
                groups[copy_id] = original.model_copy(update=update)
                made.append(copy_id)
            members[chain[level]].discard(i)
            members[copy_id].add(i)
            chain[level] = copy_id
    return made


def _fresh_id(groups: dict[str, Group], wanted: str, made: list[str]) -> str:
    """`wanted`, or `wanted.2`, ... when a group of another call already has that id."""
    candidate, suffix = wanted, 1
    while candidate in groups and candidate not in made:
        suffix += 1
        candidate = f"{wanted}.{suffix}"
    return candidate

"""GroupTree: ancestor chains with each parent link followed once (4,000 nested groups were O(G^3))."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.layout.groups import GroupTree


@dataclass
class CountingGroup:
    """Stands in for a Group and counts how often its parent link is read."""

    id: str
    _parent: str | None
    reads: list[int] = field(default_factory=lambda: [0])

    @property
    def parent(self) -> str | None:
        self.reads[0] += 1
        return self._parent


def chain_of(count: int) -> list[CountingGroup]:
    reads = [0]
    return [CountingGroup(f"g{i}", f"g{i - 1}" if i else None, reads) for i in range(count)]


def test_every_chain_of_a_deep_nesting_reads_each_parent_link_once() -> None:
    groups = chain_of(4_000)
    tree = GroupTree(groups)  # type: ignore[arg-type]
    chains = [tree.chain(group.id) for group in reversed(groups)]
    assert chains[0] == tuple(f"g{i}" for i in range(4_000))
    assert chains[-1] == ("g0",)
    assert tree.depth("g2500") == 2_500
    assert groups[0].reads[0] == 4_000  # was ~8 million: each chain walked again up to the root


def test_chains_are_the_same_in_any_order_of_asking() -> None:
    groups = chain_of(6)
    top_down, bottom_up = GroupTree(groups), GroupTree(groups)  # type: ignore[arg-type]
    asked = [top_down.chain(f"g{i}") for i in range(6)]
    assert [bottom_up.chain(f"g{i}") for i in reversed(range(6))][::-1] == asked
    assert asked[3] == ("g0", "g1", "g2", "g3")


def test_a_loop_of_parent_links_ends_the_walk_and_unknown_ids_have_no_ancestors() -> None:
    loop = [CountingGroup("a", "b"), CountingGroup("b", "a"), CountingGroup("c", "a")]
    tree = GroupTree(loop)  # type: ignore[arg-type]
    assert tree.chain("c") == ("b", "a", "c")
    assert tree.chain("zzz") == () and tree.chain(None) == ()

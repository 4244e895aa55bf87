"""Layering: main input on top, leaves just above their first use, never above what feeds their module."""

from __future__ import annotations

from app.layout.layering import assign_layers, downward_pairs, main_input, topological_order


def layers(
    count: int, pairs: list[tuple[int, int]], chains: list[tuple[str, ...]] | None = None
) -> list[int]:
    order = topological_order(count, pairs)
    down = downward_pairs(order, pairs)
    return assign_layers(order, pairs, down, chains or [()] * count)


def test_chain_gets_one_layer_per_vertex() -> None:
    assert layers(4, [(0, 1), (1, 2), (2, 3)]) == [0, 1, 2, 3]


def test_parameter_sits_just_above_its_first_use_not_at_the_top() -> None:
    # x(0) -> a(1) -> b(2) -> c(3); w(4) -> c: w is drawn in c's row minus one
    assert layers(5, [(0, 1), (1, 2), (2, 3), (4, 3)]) == [0, 1, 2, 3, 2]


def test_transpose_of_a_weight_moves_down_with_the_weight() -> None:
    # x(0) -> a(1) -> b(2) -> mm(3) <- t(4) <- w(5)
    assert layers(6, [(0, 1), (1, 2), (2, 3), (5, 4), (4, 3)]) == [0, 1, 2, 3, 2, 1]


def test_main_input_is_where_the_longest_path_starts() -> None:
    order = [0, 1, 2, 3, 4]
    predecessors = [[], [0], [1], [2, 4], []]  # 0 -> 1 -> 2 -> 3 <- 4
    assert main_input(order, predecessors) == 0


def test_leaf_of_a_module_stays_below_what_feeds_the_module() -> None:
    # x(0) -> prev(1) -> norm(2) <- weight(3); norm and weight in "ln", prev outside it
    chains: list[tuple[str, ...]] = [(), (), ("ln",), ("ln",)]
    assert layers(4, [(0, 1), (1, 2), (3, 2)], chains) == [0, 1, 3, 2]


def test_cycle_from_collapsing_is_broken_at_the_smallest_vertex() -> None:
    pairs = [(0, 1), (1, 2), (2, 1)]
    order = topological_order(3, pairs)
    assert order == [0, 1, 2]
    assert downward_pairs(order, pairs) == [True, True, False]

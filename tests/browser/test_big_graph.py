"""GPT-2 mini in Chromium: folded groups, parameter total, search, trace inputs, attention heatmaps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from actions import pick_example
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# GPT-2 mini: vocab 100, context 32, embedding 32, 2 blocks, no QKV bias, untied head:
# 3,200 + 1,024 (embeddings) + 2 × 12,608 (blocks) + 64 (ln_f) + 3,200 (head)
MINI_PARAMETERS = "32,704 parameters"


def open_mini(page: Page) -> dict[str, Any]:
    """Pick GPT-2 mini from the menu and return the graph the page received."""
    graph = pick_example(page, "gpt2_mini")
    expect(page.locator('.group-header[data-group-id="blocks.0.attn"]')).to_be_visible()
    return graph


def inputs_of(graph: dict[str, Any], node_id: str) -> set[str]:
    """Oracle for "trace inputs": the node and every node it depends on, by a plain walk over the edges."""
    sources: dict[str, list[str]] = {}
    for edge in graph["edges"]:
        sources.setdefault(edge["target"], []).append(edge["source"])
    seen, pending = {node_id}, [node_id]
    while pending:
        for source in sources.get(pending.pop(), []):
            if source not in seen:
                seen.add(source)
                pending.append(source)
    return seen


def expand(page: Page, group: str) -> None:
    """Click a group's header (wherever the view is: a wide graph puts it off screen)."""
    page.locator(f'.group-header[data-group-id="{group}"]').dispatch_event("click")
    expect(page.locator(f'.group-header[data-group-id="{group}"]')).to_have_attribute("aria-expanded", "true")


def node_id(graph: dict[str, Any], group: str, op: str) -> str:
    return next(n["id"] for n in graph["nodes"] if n.get("group") == group and n.get("op") == op)


def first_step_in(graph: dict[str, Any], group: str) -> int:
    """The 1-based timeline position of the first forward step of a node directly in the group."""
    groups = {n["id"]: n.get("group") or "" for n in graph["nodes"]}
    for position, entry in enumerate(graph["timeline"], start=1):
        node = graph["forward"][entry["index"]] if entry["phase"] == "forward" else None
        if node is not None and groups[node] == group:
            return position
    raise AssertionError(f"no forward step in {group}")


def shown_ids(page: Page, selector: str) -> set[str]:
    ids: list[str] = page.locator(selector).evaluate_all(
        "(nodes) => nodes.filter((n) => n.style.display !== 'none').map((n) => n.dataset.nodeId)"
    )
    return set(ids)


def test_groups_show_class_parameters_and_the_folded_stack(page: Page, artifacts: Path) -> None:
    graph = open_mini(page)
    in_blocks = next(g["members"] for g in graph["groups"] if g["id"] == "blocks[0-1]")
    expect(page.locator(".param-total")).to_have_text(MINI_PARAMETERS)
    attn = page.locator('.group-header[data-group-id="blocks.0.attn"]')
    expect(attn).to_have_text("▸ blocks.0.attn (CausalSelfAttention) · 4.1K params")
    expect(attn).to_have_attribute("aria-expanded", "false")
    expect(page.locator('.group-header[data-group-id="blocks[0-1]"]')).to_have_text(
        re.compile(r"blocks × 2 \(Block\) · 25\.2K params$")
    )
    page.screenshot(path=artifacts / "big-graph-mini.png")
    stack = page.locator('.group-header[data-group-id="blocks[0-1]"]')
    stack.dispatch_event("click")  # fold the two blocks into one box, then open them again
    expect(stack).to_have_attribute("aria-expanded", "false")
    expect(page.locator('.group-header[data-group-id="blocks.1"]')).to_have_count(0)
    folded = page.locator('.group.collapsed[data-group="blocks[0-1]"] .group-size')
    expect(folded).to_have_text(f"{in_blocks} nodes")
    page.locator('.group-header[data-group-id="blocks[0-1]"]').dispatch_event("click")
    expect(page.locator('.group-header[data-group-id="blocks.1"]')).to_have_count(1)


def test_expand_a_block_play_and_inspect_an_attention_heatmap(page: Page, artifacts: Path) -> None:
    graph = open_mini(page)
    softmax = node_id(graph, "blocks.0.attn", "SoftmaxBackward0")
    expect(page.locator(f'[data-node-id="{softmax}"]')).to_be_hidden()
    expand(page, "blocks.0.attn")
    expect(page.locator(f'[data-node-id="{softmax}"]')).to_be_visible()
    timeline = page.get_by_label("Timeline")
    timeline.fill(str(first_step_in(graph, "blocks.1.attn")))  # folded: the group's box lights up
    expect(page.locator('.group.collapsed.active[data-group="blocks.1.attn"]')).to_have_count(1)
    timeline.fill(str(first_step_in(graph, "blocks.0.attn")))  # expanded: the op itself
    expect(page.locator(".node.active")).to_have_count(1)
    assert page.locator(".node.active").get_attribute("data-node-id") in shown_ids(page, "[data-node-id]")
    page.get_by_label("Speed").select_option("0")
    page.get_by_role("button", name="Play", exact=True).click()
    length = int(page.locator(".counter").text_content().split(" / ")[1])
    expect(page.locator(".counter")).to_have_text(f"{length} / {length}")
    page.locator(f'[data-node-id="{softmax}"]').dispatch_event("click")
    expect(page.locator(".inspector h3")).to_have_text("att")
    expect(page.locator(".tensor.value canvas.heatmap")).to_be_visible()
    expect(page.locator(".tensor.grad canvas.heatmap")).to_be_visible()
    page.screenshot(path=artifacts / "big-graph-attention-heatmap.png")


def test_search_steps_through_matches_and_opens_the_group_around_one(page: Page, artifacts: Path) -> None:
    graph = open_mini(page)
    fields = ("label", "op", "fn", "group")
    softmaxes = [n["id"] for n in graph["nodes"] if any("softmax" in str(n.get(f)).lower() for f in fields)]
    groups = {n["id"]: n["group"] for n in graph["nodes"]}
    assert [groups[id_] for id_ in softmaxes[:2]] == ["blocks.0.attn", "blocks.1.attn"]
    page.locator("body").press("/")
    page.keyboard.type("SoftMax")
    search = page.get_by_label("Search nodes")
    expect(search).to_have_value("SoftMax")
    expect(page.locator(".search-count")).to_have_text(f"{len(softmaxes)} matches")
    expect(page.locator('.group.match[data-group="blocks.1.attn"]')).to_have_count(1)  # hidden: its box
    search.press("Enter")
    expect(page.locator(".search-count")).to_have_text(f"1 / {len(softmaxes)}")
    expect(page.locator(f'[data-node-id="{softmaxes[0]}"]')).to_be_visible()
    expect(page.locator(".node.selected")).to_have_attribute("data-node-id", softmaxes[0])
    expect(page.locator(".inspector h3")).to_have_text("att")
    search.press("Enter")
    expect(page.locator(".search-count")).to_have_text(f"2 / {len(softmaxes)}")
    expect(page.locator(".node.selected")).to_have_attribute("data-node-id", softmaxes[1])
    assert shown_ids(page, ".node.match") == set(softmaxes) & shown_ids(page, "[data-node-id]")
    assert set(softmaxes[:2]) <= shown_ids(page, ".node.match")
    page.screenshot(path=artifacts / "big-graph-search.png")
    search.press("Escape")
    expect(page.locator(".match")).to_have_count(0)


def test_trace_inputs_marks_exactly_what_a_node_depends_on(page: Page, artifacts: Path) -> None:
    graph = open_mini(page)
    expand(page, "blocks.0.attn")
    softmax = node_id(graph, "blocks.0.attn", "SoftmaxBackward0")
    page.locator(f'[data-node-id="{softmax}"]').dispatch_event("click")
    page.get_by_role("button", name="Trace inputs").click()
    expected = inputs_of(graph, softmax)
    assert 1 < len(expected) < len(graph["nodes"]) / 2
    expect(page.locator(".graph.tracing")).to_have_count(1)
    assert shown_ids(page, ".node.traced") == expected & shown_ids(page, "[data-node-id]")
    expect(page.locator('.group.traced[data-group="blocks.0.attn.c_attn"]')).to_have_count(1)  # hidden inputs
    expect(page.locator('.group.traced[data-group="blocks.1.attn"]')).to_have_count(0)
    page.screenshot(path=artifacts / "big-graph-trace.png")
    page.get_by_role("button", name="Clear trace").click()
    expect(page.locator(".traced")).to_have_count(0)
    expect(page.locator(".graph.tracing")).to_have_count(0)

"""GPT-2 mini in Chromium: the outline, collapse/expand sequences, search as a list, trace inputs, attention
heads and the config panel (issue 15, items 2 and 5)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from actions import VIEWPORTS, opened, pick_example
from drawing import boxes, click_toggle, inside, label_sizes, overlapping, rect
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

# GPT-2 mini: vocab 100, context 32, embedding 32, 4 heads, 2 blocks, no QKV bias, untied head:
# 3,200 + 1,024 (embeddings) + 2 × 12,608 (blocks) + 64 (ln_f) + 3,200 (head)
MINI_PARAMETERS = "32,704 parameters"
HEADS = 4


@pytest.fixture
def mini(browser: Browser, base_url: str) -> Iterator[tuple[Page, dict[str, Any]]]:
    """GPT-2 mini picked from the menu at 1440×900, without animations; the page and the graph it received."""
    with opened(browser, base_url, VIEWPORTS["1440x900"]) as page:
        page.emulate_media(reduced_motion="reduce")
        graph = pick_example(page, "gpt2_mini")
        expect(page.locator('.group-header[data-group-id="blocks[0-1]"]')).to_be_visible()
        yield page, graph


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


def shown_ids(page: Page, selector: str) -> set[str]:
    ids: list[str] = page.locator(selector).evaluate_all(
        "(nodes) => nodes.filter((n) => getComputedStyle(n).display !== 'none').map((n) => n.dataset.nodeId)"
    )
    return set(ids)


def softmaxes(graph: dict[str, Any]) -> list[str]:
    return [n["id"] for n in graph["nodes"] if n.get("op") == "SoftmaxBackward0"]


def test_gpt2_mini_opens_as_a_readable_outline(sized_page: Page, artifacts: Path) -> None:
    page = sized_page
    graph = pick_example(page, "gpt2_mini")
    stack = page.locator('.group-header[data-group-id="blocks[0-1]"]')
    expect(stack).to_have_attribute("aria-expanded", "false")  # the ×2 stack is one box
    expect(stack).to_have_text(re.compile(r"blocks × 2 \(Block\) · 25\.2K params$"))
    expect(page.locator(".param-total")).to_have_text(MINI_PARAMETERS)
    assert "blocks[0-1]" in {g["id"] for g in graph["groups"] if g["collapsed"]}
    sizes = label_sizes(page)
    assert sizes and min(px for _, px in sizes) >= 11, sizes  # readable where it opens
    assert overlapping(boxes(page)) == []
    stage, legend = rect(page, ".graph-stage"), rect(page, ".legend")
    assert legend["y"] >= stage["y"] + stage["height"]  # the legend is under the drawing, never over it
    expect(page.locator(".minimap")).to_be_visible()  # a drawing many times the view has a minimap
    page.screenshot(path=artifacts / f"big-graph-outline-{page.viewport_size['width']}.png")


def test_collapse_and_expand_sequences_never_overlap_and_headers_stay_clickable(
    mini: tuple[Page, dict[str, Any]], artifacts: Path
) -> None:
    page, graph = mini
    c_attn = next(
        g["id"] for g in graph["groups"] if g["kind"] == "call" and g["parent"] == "blocks.0.attn"
    )  # the first call inside the first attention: nn.Linear c_attn
    sequence = [
        "blocks[0-1]",  # open the stack: two blocks
        "blocks.0.attn",  # close the first block's attention
        "blocks.0.attn",  # and open it again
        c_attn,  # open a call: its autograd nodes
        "model",  # close the whole model (with a call open deep inside)
        "model",  # open it again: the header is still where the mouse can click it
        "blocks.1",  # close the second block
        c_attn,  # close the call
        "blocks[0-1]",  # fold the stack again
    ]
    for group in sequence:
        click_toggle(page, group)
        assert overlapping(boxes(page)) == [], f"after toggling {group}"
    page.screenshot(path=artifacts / "big-graph-after-toggles.png")
    page.get_by_role("button", name="Open all").click()
    expect(page.locator(".graph .call-box")).to_have_count(0, timeout=30_000)
    expect(page.locator(".graph .group.collapsed")).to_have_count(0)
    expect(page.locator(".graph.moving")).to_have_count(0)
    assert overlapping(boxes(page)) == []
    page.get_by_role("button", name="Outline").click()  # back to the outline it opened as
    expect(page.locator('.group-header[data-group-id="blocks[0-1]"]')).to_have_attribute(
        "aria-expanded", "false"
    )


def test_search_results_are_a_list_each_jump_zooming_to_its_node(mini: tuple[Page, dict[str, Any]]) -> None:
    page, graph = mini
    modules = {g["id"]: g["module"] for g in graph["groups"]}
    fields = ("label", "op", "fn", "group")  # what the search reads: these and the module of the node's group
    matches = [
        n["id"]
        for n in graph["nodes"]
        if "softmax" in " ".join([*(str(n.get(f)) for f in fields), modules.get(n["group"], "")]).lower()
    ]
    assert set(softmaxes(graph)) < set(matches)  # an F.softmax per block, and log_softmax in F.cross_entropy
    page.locator("body").press("/")
    page.keyboard.type("SoftMax")
    search = page.get_by_label("Search nodes")
    items = page.locator(".search-results [role=option]")
    expect(items).to_have_count(len(matches))
    expect(page.locator(".search-count")).to_have_text(f"{len(matches)} matches")
    expect(page.locator('.group.match[data-group="blocks[0-1]"]')).to_have_count(1)  # hidden: the stack's box
    stage = rect(page, ".graph-stage")
    for position, node in enumerate(matches):
        search.press("ArrowDown")
        expect(items.nth(position)).to_have_attribute("aria-selected", "true")
        expect(page.locator(".search-count")).to_have_text(f"{position + 1} / {len(matches)}")
        selected = page.locator(f'.graph .node.selected[data-node-id="{node}"]')
        expect(selected).to_be_visible()  # the groups and the call around it opened
        assert inside(rect(page, f'.graph [data-node-id="{node}"] .shape'), stage)  # on screen
        label = selected.locator(".label").evaluate(
            "(t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a"
        )
        assert label >= 12  # zoomed to it: at least natural size
        expect(page.locator(".inspector h3")).to_have_text(graph_label(graph, node))
    items.nth(0).click()  # a click in the list jumps there too
    expect(page.locator(".graph .node.selected")).to_have_attribute("data-node-id", matches[0])
    expect(items.nth(0)).to_have_attribute("aria-selected", "true")
    search.press("Escape")
    expect(page.locator(".match")).to_have_count(0)
    expect(page.locator(".search-results")).to_be_hidden()


def graph_label(graph: dict[str, Any], node: str) -> str:
    return str(next(n["label"] for n in graph["nodes"] if n["id"] == node))


def test_trace_inputs_marks_exactly_what_a_node_depends_on(
    mini: tuple[Page, dict[str, Any]], artifacts: Path
) -> None:
    page, graph = mini
    softmax = softmaxes(graph)[0]
    click_toggle(page, "blocks[0-1]")
    page.locator(f'[data-node-id="{softmax}"]').dispatch_event("click")
    page.get_by_role("button", name="Trace inputs").click()
    expected = inputs_of(graph, softmax)
    assert 1 < len(expected) < len(graph["nodes"]) / 2
    expect(page.locator(".graph.tracing")).to_have_count(1)
    plain = ".graph .node:not(.call-box)"
    assert shown_ids(page, f"{plain}.traced") == expected & shown_ids(page, plain)
    c_attn = next(g for g in graph["groups"] if g["kind"] == "call" and g["parent"] == "blocks.0.attn")
    expect(page.locator(f'.call-box.traced[data-group-id="{c_attn["id"]}"]')).to_have_count(
        1
    )  # a call it used
    expect(page.locator('.group.traced[data-group="blocks.1"]')).to_have_count(0)
    page.screenshot(path=artifacts / "big-graph-trace.png")
    page.get_by_role("button", name="Clear trace").click()
    expect(page.locator(".traced")).to_have_count(0)
    expect(page.locator(".graph.tracing")).to_have_count(0)


def test_attention_shows_one_heatmap_per_head_with_the_causal_triangle(
    mini: tuple[Page, dict[str, Any]], artifacts: Path
) -> None:
    page, graph = mini
    softmax = next(n for n in graph["nodes"] if n["id"] == softmaxes(graph)[0])
    assert softmax["shape"][1] == HEADS and len(softmax["data"]["heads"]) == HEADS
    steps = [(e["phase"], e["index"]) for e in graph["timeline"]]
    computed = steps.index(("forward", graph["forward"].index(softmax["id"]))) + 1
    page.get_by_label("Timeline").fill(str(computed))  # the forward pass has just computed the attention
    entry = page.locator('.config-links li[data-key="n_heads"]')
    expect(entry).to_contain_text(f"n_heads = {HEADS}")
    entry.get_by_role("button", name="show").click()  # the config panel goes to the first attention softmax
    expect(page.locator(".graph .node.selected")).to_have_attribute("data-node-id", softmax["id"])
    value = page.locator(".tensor.value .heads")
    expect(value.locator("canvas.head-map")).to_have_count(HEADS)
    expect(value.locator(".heads-key")).to_contain_text("the causal mask (a query never sees a later key)")
    expect(page.locator(".tensor.grad")).to_contain_text("not computed yet")  # before the backward pass
    page.get_by_role("button", name="End", exact=True).click()
    expect(page.locator(".tensor.grad .heads canvas.head-map")).to_have_count(HEADS)
    page.screenshot(path=artifacts / "big-graph-attention-heads.png")


def test_the_config_panel_maps_each_entry_to_the_graph(mini: tuple[Page, dict[str, Any]]) -> None:
    page, _ = mini
    keys = ["vocab_size", "context_length", "emb_dim", "n_heads", "n_layers", "drop_rate", "qkv_bias"]
    expect(page.locator(".config-links > li")).to_have_count(len(keys))
    assert (
        page.locator(".config-links > li").evaluate_all("(items) => items.map((i) => i.dataset.key)") == keys
    )
    expect(page.locator('.config-links li[data-key="n_layers"]')).to_contain_text(
        "the stack blocks × 2 (Block)"
    )
    expect(page.locator('.config-links li[data-key="qkv_bias"]')).to_contain_text("no bias node")
    vocab = page.locator('.config-links li[data-key="vocab_size"]').get_by_role("button", name="show")
    vocab.click()
    expect(page.locator(".inspector h3")).to_have_text("tok_emb.weight")  # 100 rows: one per token
    vocab.click()
    expect(page.locator(".inspector h3")).to_have_text("out_head.weight")  # and one logit per token
    page.locator('.config-links li[data-key="n_layers"]').get_by_role("button", name="show").click()
    assert inside(rect(page, '.group[data-group="blocks[0-1]"] .group-box'), rect(page, ".graph-stage"))

"""Issue 17's proofs in Chromium: the default view is the program as written. On the built-in examples every
box drawn is labelled with words of the program (its names, module paths, `weight`/`bias`, its source text);
opening a call shows the autograd nodes inside it."""

from __future__ import annotations

import re

import pytest
from actions import pick_example
from playwright.sync_api import Page, expect

from app.examples import example

pytestmark = pytest.mark.browser

COMPUTED_SCALAR = pytest.mark.xfail(
    strict=True,
    reason="a Python number the program computed (`/ math.sqrt(k.shape[-1])`) is labelled with its value "
    "(2.82843), not its source text: the capture labels scalar operands by value (app/capture/session.py)",
)
EXAMPLES = [
    "logistic",
    "tensors",
    "simplenet",
    "fanout",
    "softmax_ce",
    pytest.param("gpt2_block", marks=COMPUTED_SCALAR),
]
PARAMETER_WORDS = {"weight", "bias"}  # what nn modules name their parameters (`fc1.weight`)

# Every box the default view draws (nodes, and calls drawn as nodes), whether or not it is on screen now.
LABELS = """() => [...document.querySelectorAll(".graph [data-node-id]")]
  .filter((box) => getComputedStyle(box).display !== "none").map((box) => box.dataset.label)"""


def program_words(code: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", code))


def foreign_words(label: str, code: str) -> list[str]:
    """The words of a label the program never wrote: names, and numbers that are not in its text."""
    names = [w for w in re.findall(r"[A-Za-z_]\w*", label) if w not in program_words(code) | PARAMETER_WORDS]
    numbers = [n for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", label) if n not in code]
    return names + numbers


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_box_of_the_default_view_is_labelled_in_the_program_words(page: Page, name: str) -> None:
    code = example(name).code
    if name != "logistic":  # the page opens on the logistic neuron
        pick_example(page, name)
    labels: list[str] = page.evaluate(LABELS)
    assert labels
    strangers = {label: foreign_words(label, code) for label in labels if foreign_words(label, code)}
    assert strangers == {}


def test_opening_a_call_shows_its_autograd_nodes(page: Page) -> None:
    graph = pick_example(page, "gpt2_block")
    call = next(g for g in graph["groups"] if g["kind"] == "call" and g["label"] == "ln1")  # nn.LayerNorm
    inside = [n for n in graph["nodes"] if n["group"] == call["id"] and n["id"] not in call["outputs"]]
    assert inside and all(n["fn"].startswith("aten.") for n in inside)  # its internals are aten ops
    for node in inside:
        expect(page.locator(f'.graph .node[data-node-id="{node["id"]}"]')).to_have_count(0)
    page.locator(f'.call-box[data-group-id="{call["id"]}"] .call-toggle').dispatch_event("click")
    expect(page.locator(f'.group-header[data-group-id="{call["id"]}"]')).to_have_attribute(
        "aria-expanded", "true"
    )
    for node in inside:
        drawn = page.locator(f'.graph .node[data-node-id="{node["id"]}"]')
        expect(drawn).to_be_visible()
        expect(drawn).to_have_attribute("data-label", node["label"])

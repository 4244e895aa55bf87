"""Ελληνικά and English (issue 20, part 4) in Chromium: the page in Greek writes no English word of its own
(every text node and every title, aria-label, placeholder and alt, after a run with every teaching option, a
step through the whole animation, an inspected node, a trace, a search, a quiz, the examples menu and a failed
run); the logistic neuron's cards carry the same numbers in both languages; the header's switch, a share link
and a lesson file opened from disk carry the language."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from actions import GRAPH_ANSWER, VIEWPORTS, opened, program_text, set_program, settled
from playwright.sync_api import Browser, Page, expect
from test_lesson import offline, save_lesson

ROOT = Path(__file__).resolve().parents[2]
GREEK = json.loads((ROOT / "static" / "i18n" / "el.json").read_text(encoding="utf-8"))
SIZE = VIEWPORTS["1280x720"]
LOGISTIC = (ROOT / "app" / "examples" / "programs" / "logistic.py.txt").read_text()
BROKEN = "import torch\nx = torch.tensor(1.0\n"
BIG_MATRIX = "import torch\nm = torch.randn(300, 400, requires_grad=True)\nm.sum().backward()\n"
OPTION_VALUES = {"auto", "cpu", "cuda", "float32", "float64"}  # the toolbar's choices are the server's names

# Every text the page wrote, but the program's own (the editor lives in a shadow root, which a tree walker
# does not enter; what the program printed, its source lines and config entries, the messages Python wrote
# about it): [text, where]
PAGE_TEXTS = """() => {
  const programs = "script, style, noscript, .stdout, .source-line, code, .problem-message";
  const own = (node) => !node.parentElement?.closest(programs);
  const found = [[document.title, "title"]];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const where = node.parentElement.outerHTML.slice(0, 120);
    if (own(node) && node.textContent.trim()) found.push([node.textContent, where]);
  }
  for (const element of document.body.querySelectorAll("*")) {
    for (const name of ["title", "aria-label", "placeholder", "alt", "aria-description"]) {
      const value = element.getAttribute(name);
      const where = `${name} of <${element.tagName.toLowerCase()}>`;
      if (value && own(element.firstChild ?? element)) found.push([value, where]);
    }
  }
  return found;
}"""


def latin_words(text: str) -> list[str]:
    """The Latin-script words of a text, but numbers (2.754e4) and attribute accesses (w.grad, .backward)."""
    text = re.sub(r"(?<![A-Za-z_])\d+(?:\.\d+)?(?:e[−+-]?\d+)?", " ", text)
    text = re.sub(r"\.[A-Za-z_]\w*|\w+…", " ", text)  # and words cut short to fit a box
    return [word for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*", text) if len(word) >= 2]


# The Latin words a Greek page may show: those its catalogue itself uses (ReLU, SGD, NaN, autograd, Ctrl...).
CATALOGUE_WORDS = {word for text in GREEK.values() for word in latin_words(re.sub(r"\{\w+\+?\}", " ", text))}


def graph_words(graph: dict[str, Any]) -> set[str]:
    """The program's words as the graph names them: ids, labels, ops, functions, modules, saved tensors."""
    names = [event["op"] for event in graph["backward"]]  # AccumulateGrad too
    for node in graph["nodes"]:
        op = node.get("op") or ""
        names += [node["id"], node["label"], op, re.sub(r"Backward\d*$", "", op), node.get("fn") or ""]
        names += [node.get("group") or "", node.get("dtype") or "", node.get("device") or ""]
        names += [saved.get("name") or "" for saved in node.get("saved") or []]
    for group in graph.get("groups", []):
        names += [group["id"], group["label"], group.get("module") or ""]
    return {word for name in names for word in latin_words(name)}


def english_words(texts: Iterable[tuple[str, str]], allowed: set[str]) -> list[tuple[str, str]]:
    """(word, where) for each Latin word that is neither the program's nor the catalogue's; "dw", "dL" are
    derivative notation over a name."""

    def fine(word: str) -> bool:
        return word in allowed or (word[0] == "d" and (len(word) == 2 or word[1:] in allowed))

    return [(word, where) for text, where in texts for word in latin_words(text) if not fine(word)]


@pytest.fixture
def greek(browser: Browser, base_url: str) -> Iterator[Page]:
    """The page in a browser whose language is Greek (navigator.languages: el-GR), its first run drawn."""
    with opened(browser, base_url, SIZE, locale="el-GR") as tab:
        yield tab


def run_greek(page: Page, program: str) -> dict[str, Any]:
    set_program(page, program, editor=GREEK["editor.label"])
    with page.expect_response(GRAPH_ANSWER) as response:
        page.get_by_role("button", name=GREEK["toolbar.run"], exact=True).click()
    settled(page)
    graph: dict[str, Any] = response.value.json()
    return graph


def cards_at_every_step(page: Page, step: str) -> list[tuple[str, list[str]]]:
    """(title, lines) of the formula card at every position of the animation, from the start to the end."""
    page.locator(".counter").wait_for()
    total = int((page.locator(".counter").text_content() or "").split("/")[1])
    cards = []
    for position in range(1, total + 1):
        page.get_by_role("button", name=step, exact=True).click()
        expect(page.locator(".counter")).to_have_text(f"{position} / {total}")
        card = page.locator(".formula-card")
        title = card.locator(".card-title").text_content() or ""
        cards.append((title, card.locator("li").all_text_contents()))
    return cards


def test_the_page_follows_the_browsers_language(greek: Page) -> None:
    expect(greek.locator("html")).to_have_attribute("lang", "el")
    assert greek.title() == GREEK["page.title"]
    expect(greek.get_by_role("textbox", name=GREEK["editor.label"])).to_be_visible()  # in the editor's shadow
    expect(greek.get_by_role("button", name="Ελληνικά")).to_have_attribute("aria-pressed", "true")
    expect(greek.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "false")
    expect(greek.locator(".phases")).to_contain_text("ανάστροφο")


def test_no_english_word_bypasses_the_greek_catalogue(greek: Page) -> None:
    texts: list[tuple[str, str]] = []

    def walk() -> None:
        texts.extend(greek.evaluate(PAGE_TEXTS))

    for option in ("options.gradcheck", "options.train", "options.health"):
        greek.get_by_role("checkbox", name=GREEK[option], exact=True).check()
    graph = run_greek(greek, LOGISTIC)
    assert graph["gradcheck"] and graph["training"] and graph["health"]
    walk()
    cards_at_every_step(greek, GREEK["player.step"])  # every step's sentence and card
    walk()
    greek.locator('[data-label="w"]').first.click()
    greek.get_by_role("button", name=GREEK["inspector.trace"]).click()
    expect(greek.locator(".status-message")).to_contain_text("εξαρτάται")
    walk()
    greek.get_by_role("searchbox").fill("w")
    expect(greek.locator(".search-count")).not_to_be_empty()
    greek.get_by_role("slider", name=GREEK["training.step"]).fill("3")
    expect(greek.locator(".formula-card .card-title")).to_contain_text("βήμα εκπαίδευσης 4")
    walk()
    greek.get_by_role("button", name=GREEK["examples.button"]).click()
    expect(greek.get_by_role("menu")).to_be_visible()
    walk()
    greek.keyboard.press("Escape")
    greek.get_by_role("checkbox", name=GREEK["options.quiz"], exact=True).check()
    greek.get_by_role("button", name=GREEK["player.start"], exact=True).click()
    greek.get_by_role("button", name=GREEK["player.play"], exact=True).click()
    greek.get_by_role("textbox", name=GREEK["quiz.answer"]).fill("12345")
    greek.get_by_role("button", name=GREEK["quiz.check"], exact=True).click()
    expect(greek.locator(".quiz-feedback")).to_contain_text("Δοκιμάστε ξανά")
    walk()
    greek.get_by_role("checkbox", name=GREEK["options.quiz"], exact=True).uncheck()
    failed = run_greek(greek, BROKEN)
    assert failed["error"]["kind"] == "syntax_error"
    expect(greek.locator(".status-message")).to_contain_text("συντακτικό σφάλμα")
    expect(greek.locator(".problem-place").first).to_have_text(re.compile(r"^Γραμμή 2"))
    walk()
    for option in ("options.gradcheck", "options.train"):
        greek.get_by_role("checkbox", name=GREEK[option], exact=True).uncheck()
    big = run_greek(greek, BIG_MATRIX)  # "Show all values" pages through its gradient
    greek.get_by_role("button", name=GREEK["player.end"], exact=True).click()
    greek.locator('[data-label="m"]').first.click()
    greek.locator(".inspector .tensor.grad").get_by_role("button", name=GREEK["inspector.all_values"]).click()
    expect(greek.locator(".values-status")).to_contain_text("Στοιχεία 0–")
    walk()
    greek.get_by_role("button", name=GREEK["examples.button"]).click()
    with greek.expect_response(GRAPH_ANSWER) as answer:
        greek.locator('[role="menuitem"][data-name="gpt2_block"]').click()
    settled(greek)
    gpt = answer.value.json()
    greek.get_by_role("button", name=GREEK["player.end"], exact=True).click()
    greek.locator('.config-panel li[data-key="n_heads"] button').click()  # a heatmap per head
    expect(greek.locator(".inspector .heads figcaption").first).to_have_text("κεφαλή 0")
    walk()
    programs = graph_words(graph) | graph_words(big) | graph_words(gpt)
    allowed = CATALOGUE_WORDS | programs | OPTION_VALUES | {"gradtrace", "English"}  # English: the switch
    assert len(texts) > 500
    assert dict(english_words(texts, allowed)) == {}  # each word once, with one place it was found


def test_the_coverage_check_finds_english(greek: Page) -> None:
    """The check above fails on the words a component would write past the catalogue."""
    greek.locator(".player .sentence").evaluate("(node) => { node.textContent = 'Press Play to run it'; }")
    texts = greek.evaluate(PAGE_TEXTS)
    found = {word for word, _ in english_words(texts, CATALOGUE_WORDS | {"gradtrace"})}
    assert {"Press", "Play", "to", "run", "it"} <= found


def test_the_logistic_neurons_cards_have_the_same_numbers_in_greek(browser: Browser, base_url: str) -> None:
    def numbers(lines: list[str]) -> list[str]:
        return [number for line in lines for number in re.findall(r"−?\d+(?:\.\d+)?(?:e−?\d+)?", line)]

    with opened(browser, base_url, SIZE) as english, opened(browser, base_url, SIZE, locale="el-GR") as greek:
        in_english = cards_at_every_step(english, "Step")
        in_greek = cards_at_every_step(greek, GREEK["player.step"])
    assert len(in_greek) == len(in_english) > 10
    for (title, lines), (greek_title, greek_lines) in zip(in_english, in_greek, strict=True):
        assert numbers(greek_lines) == numbers(lines)
        assert greek_title == title.replace(" at ", " στο ").replace("Chain rule", GREEK["card.label"])
    greek_lines = [line for _, lines in in_greek for line in lines]
    assert "w.grad = dL/dw = −0.08983 (δεν είχε υπολογιστεί πριν)" in greek_lines  # dL/dw = −0.0898
    assert "b.grad = dL/db = −0.08166 (δεν είχε υπολογιστεί πριν)" in greek_lines  # dL/db = −0.0817


def test_the_switch_reloads_in_greek_and_keeps_the_program(page: Page) -> None:
    program = LOGISTIC.replace("2.2", "1.7")
    set_program(page, program)
    with page.expect_response(GRAPH_ANSWER):
        page.get_by_role("button", name="Ελληνικά").click()  # a reload: the program runs again, in Greek
    expect(page.locator("html")).to_have_attribute("lang", "el")
    expect(page.locator(".graph-view")).to_have_attribute("data-state", "current")
    expect(page).to_have_url(re.compile(r"#p=[\w-]+&lang=el$"))
    assert program_text(page) == program
    expect(page.get_by_role("button", name=GREEK["toolbar.run"], exact=True)).to_be_visible()
    with page.expect_response(GRAPH_ANSWER):
        page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_visible()
    assert program_text(page) == program


def test_a_share_link_carries_its_language_and_old_links_follow_the_browser(
    greek: Page, browser: Browser, base_url: str
) -> None:
    greek.get_by_role("button", name=GREEK["toolbar.share"], exact=True).click()
    expect(greek.locator(".status-message")).to_contain_text("σύνδεσμο")
    link = greek.url
    assert link.endswith("&lang=el")
    old_link = link.removesuffix("&lang=el")
    cases = ((link, "en-US", "el"), (old_link, "en-US", "en"), (old_link, "el-GR", "el"))
    for url, locale, language in cases:
        with opened(browser, base_url, SIZE, locale=locale) as tab:
            with tab.expect_response(GRAPH_ANSWER):
                tab.goto(url)
                tab.reload()  # the same page at another fragment: load it afresh, as a pasted link does
            expect(tab.locator("html")).to_have_attribute("lang", language)
            expect(tab.locator(".graph-view")).to_have_attribute("data-state", "current")
            assert program_text(tab) == LOGISTIC


def test_a_lesson_file_speaks_greek_from_disk(greek: Page, browser: Browser, tmp_path: Path) -> None:
    saved = save_lesson(greek, tmp_path, button=GREEK["toolbar.lesson"])
    for locale, fragment in (("el-GR", ""), ("en-US", "#lang=el")):
        with offline(browser, saved, locale=locale, fragment=fragment) as lesson:
            expect(lesson.locator("html")).to_have_attribute("lang", "el")
            run_button = lesson.get_by_role("button", name=GREEK["toolbar.run"], exact=True)
            expect(run_button).to_be_disabled()
            expect(run_button).to_have_attribute("title", GREEK["lesson.offline"])
            lesson.get_by_role("button", name=GREEK["player.end"], exact=True).click()
            expect(lesson.locator(".formula-card")).to_contain_text("στο")
    with offline(browser, saved) as lesson:  # the same file in an English browser
        expect(lesson.locator("html")).to_have_attribute("lang", "en")
        expect(lesson.get_by_role("button", name="Run", exact=True)).to_be_disabled()

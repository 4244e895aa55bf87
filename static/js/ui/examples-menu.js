// The examples menu (WAI-ARIA menu button): arrow keys only move between examples; an example loads and runs on an
// explicit choice (Enter, Space or a click), never while the person browses the list.

import { el, emit } from "../util/dom.js";
import { has, t } from "../i18n.js";

// An example's title or description in the page's language (example.<name>.title in the catalogue); one the
// catalogue does not know yet keeps the server's English.
const about = (example, field) => {
  const key = `example.${example.name}.${field}`;
  return has(key) ? t(key) : example[field];
};

export class ExamplesMenu extends EventTarget {
  constructor() {
    super();
    this.button = el("button", {
      type: "button", class: "menu-button", id: "examples-button", "aria-haspopup": "menu", "aria-expanded": "false",
      "aria-controls": "examples-menu", title: t("examples.title"),
    }, t("examples.button"));
    this.menu = el("ul", { class: "menu", role: "menu", id: "examples-menu", "aria-labelledby": "examples-button" });
    this.menu.hidden = true;
    this.container = el("div", { class: "menu-wrap" }, this.button, this.menu);
    this.examples = [];
    this.#listen();
  }

  /** Fill the menu from GET /examples: [{name, title, description, code, options}]. */
  setExamples(examples) {
    this.examples = examples;
    this.menu.replaceChildren(...examples.map((example) => el("li", {
      role: "menuitem", tabindex: -1, "data-name": example.name, title: about(example, "description"),
    }, el("span", { class: "menu-title" }, about(example, "title")),
    el("span", { class: "menu-note" }, about(example, "description")))));
  }

  #listen() {
    this.button.addEventListener("click", () => (this.menu.hidden ? this.open(0) : this.close()));
    this.button.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      event.preventDefault();
      this.open(event.key === "ArrowDown" ? 0 : -1);
    });
    this.menu.addEventListener("click", (event) => this.#choose(event.target.closest("[role=menuitem]")));
    this.menu.addEventListener("keydown", (event) => this.#key(event));
    document.addEventListener("pointerdown", (event) => {
      if (!this.menu.hidden && !this.container.contains(event.target)) this.close(false);
    });
  }

  /** Open the menu with the focus on item `at` (-1: the last). */
  open(at) {
    if (!this.examples.length) return;
    this.menu.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    this.#focus(at);
  }

  /** Close the menu; the focus goes back to its button unless the person clicked elsewhere. */
  close(refocus = true) {
    this.menu.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    if (refocus) this.button.focus();
  }

  #items() {
    return [...this.menu.children];
  }

  #focus(at) {
    const items = this.#items();
    items.at(((at % items.length) + items.length) % items.length)?.focus();
  }

  #key(event) {
    const items = this.#items();
    const at = items.indexOf(document.activeElement);
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: -1 };
    if (event.key in moves) this.#focus(moves[event.key]);
    else if (event.key === "Enter" || event.key === " ") this.#choose(items[at]);
    else if (event.key === "Escape") this.close();
    else if (event.key === "Tab") return this.close(false);
    else return;
    event.preventDefault();
    event.stopPropagation(); // the player's keys (Space, arrows, Home/End) must not act while the menu is open
  }

  #choose(item) {
    const example = this.examples.find((e) => e.name === item?.dataset.name);
    if (!example) return;
    this.close();
    emit(this, "example", example);
  }
}

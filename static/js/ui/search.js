// The search bar over the graph: a query box (Enter cycles through matches), the match count, the model's size.

import { el, emit, setText, typing } from "../util/dom.js";

export class SearchBar extends EventTarget {
  constructor() {
    super();
    this.input = el("input", {
      type: "search", class: "search-input", "aria-label": "Search nodes",
      placeholder: "Search label, op or module (/ · Enter: next)",
    });
    this.count = el("span", { class: "search-count", "aria-live": "polite" });
    this.total = el("span", { class: "param-total" });
    this.container = el("div", { class: "search-bar" }, this.input, this.count, this.total);
    this.input.addEventListener("input", () => emit(this, "query", this.input.value));
    this.input.addEventListener("keydown", (event) => this.#key(event));
    document.addEventListener("keydown", (event) => this.#focusKey(event));
  }

  // "/" anywhere but in a field jumps to the search box, as on many sites.
  #focusKey(event) {
    if (event.key !== "/" || typing(event)) return;
    event.preventDefault();
    this.input.focus();
  }

  #key(event) {
    if (event.key === "Enter") {
      event.preventDefault();
      emit(this, "step", event.shiftKey ? -1 : 1);
    } else if (event.key === "Escape" && this.input.value) {
      event.stopPropagation();
      this.clear();
      emit(this, "query", "");
    }
  }

  get query() {
    return this.input.value;
  }

  clear() {
    this.input.value = "";
    setText(this.count, "");
  }

  /** "3 / 12" while stepping through matches, "12 matches" before, "no match" for none. */
  showCount(position, count) {
    if (!this.input.value.trim()) return setText(this.count, "");
    if (count === 0) return setText(this.count, "no match");
    setText(this.count, position < 0 ? `${count} match${count === 1 ? "" : "es"}` : `${position + 1} / ${count}`);
  }

  /** The model's parameter total, written out in full ("124,439,808 parameters"); empty hides it. */
  showTotal(text) {
    setText(this.total, text);
  }
}

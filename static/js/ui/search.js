// The search bar over the graph: a query box, the list of matches to step through (Enter or ↓ the next, Shift+Enter
// or ↑ the previous, a click any one), the match count, the model's size.

import { el, emit, setText, typing } from "../util/dom.js";
import { t } from "../i18n.js";

const LISTED = 200; // matches written into the list; the count still says how many there are

export class SearchBar extends EventTarget {
  constructor() {
    super();
    this.input = el("input", {
      type: "search", class: "search-input", "aria-label": t("search.label"), "aria-controls": "search-results",
      placeholder: t("search.placeholder"),
    });
    this.count = el("span", { class: "search-count", "aria-live": "polite" });
    this.total = el("span", { class: "param-total" });
    this.results = el("ol", { class: "search-results", id: "search-results", role: "listbox",
      "aria-label": t("search.matches") });
    this.results.hidden = true;
    this.container = el("div", { class: "search-bar" }, this.input, this.count, this.total, this.results);
    this.input.addEventListener("input", () => emit(this, "query", this.input.value));
    this.input.addEventListener("keydown", (event) => this.#key(event));
    this.results.addEventListener("click", (event) => {
      const item = event.target.closest("[data-position]");
      if (item) emit(this, "pick", Number(item.dataset.position));
    });
    document.addEventListener("keydown", (event) => this.#focusKey(event));
  }

  // "/" anywhere but in a field jumps to the search box, as on many sites.
  #focusKey(event) {
    if (event.key !== "/" || typing(event)) return;
    event.preventDefault();
    this.input.focus();
  }

  #key(event) {
    const steps = { Enter: event.shiftKey ? -1 : 1, ArrowDown: 1, ArrowUp: -1 };
    if (event.key in steps) {
      event.preventDefault();
      emit(this, "step", steps[event.key]);
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
    this.showMatches([], -1);
  }

  /** The matches as a list ([{id, label, where}]), `position` the current one (−1: none yet). */
  showMatches(matches, position) {
    const open = matches.length > 0 && this.input.value.trim() !== "";
    this.results.hidden = !open;
    this.results.replaceChildren(...matches.slice(0, LISTED).map((match, i) => el("li", {
      role: "option", id: `match-${i}`, "data-position": i, "data-node": match.id,
      "aria-selected": String(i === position),
      class: i === position ? "current" : null,
    }, el("span", { class: "match-label" }, match.label), el("span", { class: "match-where" }, match.where))));
    if (matches.length > LISTED) {
      const more = matches.length - LISTED;
      this.results.append(el("li", { class: "hint" }, `… and ${more} more: type more of the name`));
    }
    const current = this.results.querySelector(".current");
    this.input.setAttribute("aria-activedescendant", current?.id ?? "");
    current?.scrollIntoView({ block: "nearest" });
    this.#showCount(position, matches.length);
  }

  /** "3 / 12" while stepping through matches, "12 matches" before, "no match" for none. */
  #showCount(position, count) {
    if (!this.input.value.trim()) return setText(this.count, "");
    if (count === 0) return setText(this.count, t("search.none"));
    const counted = t(count === 1 ? "search.count.one" : "search.count.many", { count: String(count) });
    setText(this.count, position < 0 ? counted : `${position + 1} / ${count}`);
  }

  /** The model's parameter total, written out in full ("124,439,808 parameters"); empty hides it. */
  showTotal(text) {
    setText(this.total, text);
  }
}

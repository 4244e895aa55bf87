// "Show all values": a truncated tensor's elements, a page at a time, each with its index; blocks of 65,536
// come from POST /values, which re-runs the program that drew the graph (same seed and options: same ids).

import { download, el, setText } from "../util/dom.js";
import { formatNumber } from "../model/number.js";
import { kindWords } from "../model/problems.js";
import { FETCH_SIZE, PAGE_SIZE, indexLabel, neighbours, pageAround, pageCsv, parseIndex } from "./values-pages.js";
import { t } from "../i18n.js";

const count = (n) => n.toLocaleString("en-US");

export class ValuesPanel {
  #block = null; // the latest fetched block: {start, values}
  #start = 0; // first element of the page shown
  #shown = []; // its values, as the server sent them
  #ticket = 0; // newest navigation: answers to older ones are dropped

  /** `query`: {node, field, label, shape, numel} of the tensor; `request`: the graph's {program, options}. */
  constructor(api, request, query) {
    this.api = api;
    this.request = request;
    this.query = query;
    this.previous = button(t("values.previous"), t("values.previous.title"), () => this.goTo(this.#start - PAGE_SIZE));
    this.next = button(t("values.next"), t("values.next.title"), () => this.goTo(this.#start + PAGE_SIZE));
    this.index = el("input", { type: "text", class: "values-index", "aria-label": t("values.index"),
      placeholder: t("values.index.placeholder", { example: query.shape.map(() => 0).join(", ") }) });
    this.go = button(t("values.go"), t("values.go.title"), () => this.#goToTyped());
    this.csv = button("CSV", t("values.csv.title"), () => this.#downloadCsv());
    this.index.addEventListener("keydown", (event) => event.key === "Enter" && this.#goToTyped());
    this.status = el("p", { class: "values-status", role: "status" });
    this.rows = el("tbody");
    this.container = el("div", { class: "values-panel" },
      el("div", { class: "values-controls" }, this.previous, this.next, this.index, this.go, this.csv),
      this.status,
      el("div", { class: "values-scroll" },
        el("table", { class: "numbers values-table" },
          el("thead", {}, el("tr", {}, el("th", {}, t("values.index.column")),
            el("th", {}, t(query.field === "grad" ? "inspector.grad" : "inspector.value")))),
          this.rows)));
  }

  /** Show the page holding element `flat` (marked when `mark`), fetching its block when not at hand. */
  async goTo(flat, mark = false) {
    const ticket = ++this.#ticket;
    const { start, fetchStart } = pageAround(Math.max(0, flat));
    try {
      const block = await this.#blockAt(fetchStart);
      if (block && ticket === this.#ticket) this.#render(start, block, mark ? flat : null);
    } catch (error) {
      if (error.name !== "AbortError" && ticket === this.#ticket) this.#fail(error);
    }
  }

  async #blockAt(fetchStart) {
    if (this.#block?.start === fetchStart) return this.#block;
    const last = Math.min(fetchStart + FETCH_SIZE, this.query.numel) - 1;
    this.#busy(t("values.loading", { first: count(fetchStart), last: count(last) }));
    const { node, field, label, shape } = this.query;
    const query = { node, field, label, shape, offset: fetchStart, limit: FETCH_SIZE };
    const answer = await this.api.values(this.request, query);
    if (!answer) return null; // a newer fetch replaced this one
    this.#block = { start: fetchStart, values: answer.values };
    return this.#block;
  }

  #render(start, block, marked) {
    const { shape, numel } = this.query;
    const values = block.values.slice(start - block.start, start - block.start + PAGE_SIZE);
    this.#start = start;
    this.#shown = values;
    this.rows.replaceChildren(...values.map((value, i) => el("tr", { class: start + i === marked ? "marked" : null },
      el("th", { scope: "row" }, indexLabel(start + i, shape)), el("td", {}, formatNumber(value, { exact: true })))));
    const last = start + values.length - 1;
    this.container.classList.remove("loading", "failed");
    setText(this.status, t("values.shown", { first: count(start), last: count(last), numel: count(numel),
      from: indexLabel(start, shape), to: indexLabel(last, shape) }));
    this.#enable(neighbours(start, numel));
    this.rows.querySelector(".marked")?.scrollIntoView({ block: "nearest" });
  }

  #goToTyped() {
    const { shape, numel } = this.query;
    const typed = parseIndex(this.index.value, shape, numel);
    if (typed.error) return this.#fail({ message: typed.error }, false);
    return this.goTo(typed.flat, true);
  }

  #downloadCsv() {
    const name = `${this.query.label}-${this.query.field}-${this.#start}.csv`.replace(/[^\w.-]+/g, "_");
    download(new Blob([pageCsv(this.#shown, this.#start, this.query.shape)], { type: "text/csv" }), name);
  }

  #busy(text) {
    this.container.classList.add("loading");
    this.container.classList.remove("failed");
    setText(this.status, text);
    this.#enable({ previous: null, next: null });
  }

  // The page shown (if any) stays, and so does the way to its neighbours.
  #fail(error, fetching = true) {
    this.container.classList.remove("loading");
    this.container.classList.add("failed");
    const kind = error.info?.kind ? `${kindWords(error.info.kind)}: ` : "";
    setText(this.status, `${fetching ? `${t("values.failed")} ` : ""}${kind}${error.message}`);
    const shown = this.#shown.length > 0;
    this.#enable(shown ? neighbours(this.#start, this.query.numel) : { previous: null, next: null });
  }

  #enable({ previous, next }) {
    this.previous.disabled = previous === null;
    this.next.disabled = next === null;
  }
}

function button(text, title, onclick) {
  return el("button", { type: "button", title, onclick }, text);
}

// The gradient check: autograd next to central finite differences per leaf element, with the note where they differ.

import { el } from "../util/dom.js";
import { gradcheckRows } from "../model/teach.js";
import { t } from "../i18n.js";

const HEADINGS = ["gradcheck.leaf", "gradcheck.autograd", "gradcheck.numeric", "gradcheck.abs_err", "gradcheck.rel_err",
  "gradcheck.ok"];

export class GradcheckTable {
  constructor() {
    this.body = el("div");
    this.container = el("section", { class: "gradcheck", "aria-label": t("gradcheck.label") },
      el("h3", {}, t("gradcheck.heading")), this.body);
    this.container.hidden = true;
  }

  /** Show GraphResponse.gradcheck, or hide when the run had none. */
  show(checks) {
    this.container.hidden = !checks?.length;
    if (!checks?.length) return;
    const rows = gradcheckRows(checks);
    const head = el("tr", {}, HEADINGS.map((key) => el("th", {}, t(key))));
    const body = rows.map((row) => el("tr", { class: row.ok ? "ok" : "differs" },
      el("td", {}, row.element), row.cells.map((cell) => el("td", {}, cell)), el("td", {}, row.ok ? "✓" : "✗")));
    const notes = rows.filter((row) => row.note).map((row) => el("li", {}, `${row.element}: ${row.note}`));
    const table = el("table", { class: "numbers gradcheck-table" }, el("thead", {}, head), el("tbody", {}, body));
    const notesList = notes.length ? el("ul", { class: "gradcheck-notes" }, notes) : null;
    const parts = [el("div", { class: "gradcheck-scroll" }, table), notesList].filter(Boolean); // null: "null" text
    this.body.replaceChildren(...parts);
  }
}

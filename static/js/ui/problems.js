// The problems of the last run, listed once under the editor, never over the code: where (a button that puts the
// caret there) and what. The gutter marks the same problems; this list is their one written message.

import { el, emit } from "../util/dom.js";
import { messageOf, placeOf } from "../model/problems.js";
import { t } from "../i18n.js";

export class ProblemList extends EventTarget {
  constructor() {
    super();
    this.list = el("ol", { class: "problem-list" });
    this.container = el("section", { class: "problems", "aria-label": t("problems.label") }, this.list);
    this.container.hidden = true;
  }

  /** List problems ({kind, message, line, col, ...}); an empty list hides the panel. */
  show(problems) {
    this.container.hidden = problems.length === 0;
    this.list.replaceChildren(...problems.map((problem) => this.#item(problem)));
  }

  #item(problem) {
    const place = placeOf(problem);
    const where = place ? el("button", {
      type: "button", class: "problem-place", title: t("problems.go"), onclick: () => emit(this, "go", problem),
    }, place[0].toUpperCase() + place.slice(1)) : null;
    return el("li", { class: "problem" }, where, el("span", { class: "problem-message" }, messageOf(problem)));
  }
}

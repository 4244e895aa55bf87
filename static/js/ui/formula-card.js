// The formula card: the chain rule of the current step with its numbers (upstream × local = contribution).

import { el, setText } from "../util/dom.js";
import { t } from "../i18n.js";

export class FormulaCard {
  constructor() {
    this.title = el("h3", { class: "card-title" });
    this.list = el("ol", { class: "card-lines" });
    this.container = el("section", { class: "formula-card", "aria-label": t("card.label"), "aria-live": "polite" },
      this.title, this.list);
    this.container.hidden = true;
  }

  /** Show a card from model/teach.js cardFor: {title, lines: [{text, kind}]}. */
  show({ title, lines }) {
    this.container.hidden = false;
    setText(this.title, title);
    this.list.replaceChildren(...lines.map(({ text, kind }) => el("li", { class: `card-${kind}` }, text)));
  }

  hide() {
    this.container.hidden = true;
  }
}

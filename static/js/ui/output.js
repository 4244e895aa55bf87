// The program's printed output (captured by the server), shown as plain text under the editor, and the
// figures it drew (PNG data URLs the server made with matplotlib).

import { el, setText } from "../util/dom.js";
import { PassesPanel } from "./passes.js";
import { t } from "../i18n.js";

export class Output extends EventTarget {
  constructor() {
    super();
    this.text = el("pre", { class: "stdout", "aria-label": t("output.printed") });
    this.figures = el("div", { class: "figures" });
    this.passes = new PassesPanel();
    this.container = el("details", { class: "output", open: true, hidden: true },
      el("summary", {}, t("output.summary")), this.text, this.figures, this.passes.container);
  }

  /** Show what the program printed and drew, and a long loop's passes; hidden when there is none of it. */
  show(stdout, figures = [], passes = null) {
    setText(this.text, stdout ?? "");
    this.text.hidden = !stdout;
    this.figures.replaceChildren(...figures.filter((src) => src.startsWith("data:image/png;base64,"))
      .map((src, index) => el("img", { src, alt: t("output.figure", { n: String(index + 1) }), class: "figure" })));
    this.passes.show(passes);
    this.container.hidden = !stdout && !figures.length && !passes;
  }
}

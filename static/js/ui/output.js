// The program's printed output (captured by the server), shown as plain text under the editor.

import { el, setText } from "../util/dom.js";

export class Output extends EventTarget {
  constructor() {
    super();
    this.text = el("pre", { class: "stdout", "aria-label": "Printed output" });
    this.container = el("details", { class: "output", open: true, hidden: true },
      el("summary", {}, "Output (print)"), this.text);
  }

  /** Show what the program printed; hidden when it printed nothing. */
  show(stdout) {
    setText(this.text, stdout ?? "");
    this.container.hidden = !stdout;
  }
}

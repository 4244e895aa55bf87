// The in-place status line: progress with elapsed time and Cancel, results, and errors (never alert()).

import { el, emit, setText } from "../util/dom.js";
import { t } from "../i18n.js";

export class StatusLine extends EventTarget {
  constructor() {
    super();
    this.message = el("span", { class: "status-message" });
    this.elapsed = el("span", { class: "status-elapsed" });
    this.cancelButton = el("button", { type: "button", hidden: true, onclick: () => emit(this, "cancel") }, t("status.cancel"));
    this.container = el("div", { class: "status", role: "status", "aria-live": "polite" },
      this.message, this.elapsed, this.cancelButton);
    this.timer = null;
  }

  /** Show that a run is in progress, counting the seconds until it ends. */
  busy(text) {
    this.#show(text, "busy");
    const started = performance.now();
    this.cancelButton.hidden = false;
    this.timer = setInterval(() => {
      setText(this.elapsed, t("status.elapsed", { seconds: ((performance.now() - started) / 1000).toFixed(1) }));
    }, 100);
  }

  info(text) {
    this.#show(text, "info");
  }

  error(text) {
    this.#show(text, "error");
  }

  #show(text, kind) {
    clearInterval(this.timer);
    this.timer = null;
    this.cancelButton.hidden = true;
    setText(this.elapsed, "");
    setText(this.message, text);
    this.container.dataset.kind = kind;
  }
}

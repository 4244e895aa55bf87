// The config panel (GPT programs): each config entry, where it shows in the graph, and a button that goes there
// (each press the next place, when there are several).

import { el, emit } from "../util/dom.js";
import { t } from "../i18n.js";

export class ConfigPanel extends EventTarget {
  constructor() {
    super();
    this.list = el("ul", { class: "config-links" });
    this.container = el("section", { class: "config-panel", "aria-labelledby": "config-title" },
      el("h3", { id: "config-title" }, t("config.heading")), this.list);
    this.container.hidden = true;
  }

  /** Show the links of configLinks(); hidden when the program has no config. */
  show(links) {
    this.container.hidden = links.length === 0;
    this.list.replaceChildren(...links.map((link) => this.#item(link)));
  }

  #item({ key, value, text, targets }) {
    let next = 0;
    const go = targets.length ? el("button", {
      type: "button", class: "config-go", title: t(targets.length === 1 ? "config.go.title.one" : "config.go.title.many", { count: targets.length }),
      "data-key": key,
      onclick: () => {
        emit(this, "go", targets[next]);
        next = (next + 1) % targets.length;
      },
    }, t("config.go")) : null;
    return el("li", { "data-key": key }, el("code", {}, `${key} = ${value}`), " → ", el("span", {}, text), " ", go);
  }
}

// Below 900 px the inspector is a drawer over the page: a toggle next to the graph and a close button in the drawer.
// Wider, the inspector is a column and these buttons are hidden (app.css); the state is one attribute on the panel.

import { el } from "../util/dom.js";
import { t } from "../i18n.js";

export class Drawer extends EventTarget {
  constructor() {
    super();
    this.toggle = el("button", {
      type: "button", class: "drawer-toggle", "aria-controls": "inspector", "aria-expanded": "false",
      onclick: () => (this.isOpen ? this.close() : this.open()),
    }, t("drawer.inspector"));
    this.closer = el("button", { type: "button", class: "drawer-close", onclick: () => this.close() }, t("drawer.close"));
    this.container = this.toggle;
    this.panel = null;
  }

  /** Take over the inspector panel: its head gets the close button; Escape inside it closes the drawer. */
  attach(panel) {
    this.panel = panel;
    panel.querySelector(".drawer-head").append(this.closer);
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.isOpen) this.close();
    });
  }

  get isOpen() {
    return this.panel?.dataset.drawer === "open";
  }

  open() {
    this.panel.dataset.drawer = "open";
    this.toggle.setAttribute("aria-expanded", "true");
  }

  close() {
    const hadFocus = this.panel.contains(document.activeElement);
    this.panel.dataset.drawer = "closed";
    this.toggle.setAttribute("aria-expanded", "false");
    if (hadFocus) this.toggle.focus();
  }
}

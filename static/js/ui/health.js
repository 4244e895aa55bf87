// Gradient health: colour nodes and edges by log10 |gradient|, and list the flags (click one to select its node).

import { el, emit } from "../util/dom.js";
import { healthColour } from "../model/teach.js";
import { cardText, t } from "../i18n.js";

const KIND_WORDS = { nan: "NaN", inf: "±Inf", vanishing: t("flag.vanishing"), exploding: t("flag.exploding"),
  dead_relu: t("flag.dead_relu"), saturated: t("flag.saturated") };
const PHASE_WORDS = { forward: t("phase.forward"), backward: t("phase.backward") };

export class HealthPanel extends EventTarget {
  constructor() {
    super();
    this.list = el("ul", { class: "health-flags" });
    this.container = el("section", { class: "health", "aria-label": t("health_panel.label") },
      el("h3", {}, t("health_panel.heading")),
      el("p", { class: "hint health-key" }, t("health_panel.key")),
      this.list);
    this.container.hidden = true;
  }

  /** List a run's flags (GraphResponse.health); hidden when the overlay is off. */
  show(health, on) {
    const flags = health?.flags ?? [];
    this.container.hidden = !on;
    const items = flags.map((flag) => el("li", {}, el("button", {
      type: "button", class: `flag flag-${flag.kind}`, "data-node": flag.node,
      onclick: () => emit(this, "select", flag.node),
    }, `${KIND_WORDS[flag.kind] ?? flag.kind} (${PHASE_WORDS[flag.phase] ?? flag.phase})`),
    ` ${flag.card ? cardText(flag.card) : flag.message}`));
    this.list.replaceChildren(...(items.length ? items : [el("li", { class: "hint" }, t("health_panel.none"))]));
  }
}

/** Paint (or clear, with `on` false) the overlay on the graph's SVG: colours by log10 |grad|, flagged nodes. */
export function paintHealth(root, health, on) {
  root.classList.toggle("health-on", on);
  for (const part of root.querySelectorAll(".health-coloured, .health-flagged")) unpaint(part);
  if (!on || !health) return;
  paint(root, "[data-node-id]", health.node_log10);
  paint(root, "[data-edge-id]", health.edge_log10);
  for (const flag of health.flags) {
    const node = root.querySelector(`[data-node-id="${CSS.escape(flag.node)}"]`);
    node?.classList.add("health-flagged", `flag-${flag.kind}`);
  }
}

function paint(root, selector, log10s) {
  for (const part of root.querySelectorAll(selector)) {
    const id = part.dataset.nodeId ?? part.dataset.edgeId;
    if (!(id in log10s)) continue;
    part.classList.add("health-coloured");
    part.style.setProperty("--health", healthColour(log10s[id]));
  }
}

function unpaint(part) {
  part.style.removeProperty("--health");
  const flags = [...part.classList].filter((cls) => cls.startsWith("flag-"));
  part.classList.remove("health-coloured", "health-flagged", ...flags);
}

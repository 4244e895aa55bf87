// Gradient health: colour nodes and edges by log10 |gradient|, and list the flags (click one to select its node).

import { el, emit } from "../util/dom.js";
import { healthColour } from "../model/teach.js";

const KIND_WORDS = { nan: "NaN", inf: "±Inf", vanishing: "vanishing", exploding: "exploding", dead_relu: "dead ReLU",
  saturated: "saturated" };

export class HealthPanel extends EventTarget {
  constructor() {
    super();
    this.list = el("ul", { class: "health-flags" });
    this.container = el("section", { class: "health", "aria-label": "Gradient health" },
      el("h3", {}, "gradient health"),
      el("p", { class: "hint health-key" }, "Colour: log10 |grad| from blue (tiny) to red (huge); purple NaN, grey 0."),
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
    }, `${KIND_WORDS[flag.kind] ?? flag.kind} (${flag.phase})`), ` ${flag.message}`));
    this.list.replaceChildren(...(items.length ? items : [el("li", { class: "hint" }, "No problems found.")]));
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

// The comparison panel (issue 20, part 1): which run the graph shows (A before the change, B after), the losses, how
// many nodes matched, the colour scale the graph is painted with, and the selected node's difference. Raises events;
// knows no one.

import { el, emit } from "../util/dom.js";
import { RATIO_TICKS, SAME, SCALE_TICKS, diffColour, ratioColour } from "../model/diff.js";
import { t } from "../i18n.js";

export class ComparePanel extends EventTarget {
  constructor() {
    super();
    this.sides = {
      a: this.#sideButton("a", t("diff.show.a")),
      b: this.#sideButton("b", t("diff.show.b")),
    };
    this.field = el("select", { name: "diff-field", "aria-label": t("diff.by"), title: t("diff.by"),
      onchange: () => {
        this.colourBy(this.field.value);
        emit(this, "field", this.field.value);
      } },
    el("option", { value: "grad" }, t("diff.field.grad")), el("option", { value: "data" }, t("diff.field.data")),
    el("option", { value: "ratio" }, t("diff.field.ratio")));
    this.loss = el("span", { class: "diff-loss" });
    this.counts = el("span", { class: "diff-counts" });
    this.node = el("p", { class: "diff-node hint", "aria-live": "polite" });
    this.scales = { difference: differenceLegend(), ratio: ratioLegend() };
    this.container = el("section", { class: "compare", "aria-label": t("diff.title") },
      el("div", { class: "compare-head" },
        el("h3", { title: t("diff.node.pick") }, t("diff.title")),
        el("div", { class: "compare-sides", role: "group", "aria-label": t("diff.show.title") }, this.sides.a,
          this.sides.b),
        el("label", { class: "compare-field" }, t("diff.by"), " ", this.field),
        this.loss, this.counts,
        el("button", { type: "button", class: "compare-stop", onclick: () => emit(this, "stop") }, t("diff.stop"))),
      this.scales.difference, this.scales.ratio,
      this.node);
    this.container.hidden = true;
  }

  #sideButton(side, text) {
    return el("button", { type: "button", class: "compare-side", "data-side": side, "aria-pressed": "false",
      title: t("diff.show.title"), onclick: () => emit(this, "side", side) }, text);
  }

  /** Colour the graph by "grad", "data" (relative difference) or "ratio" (gradient norm B / A). */
  colourBy(field) {
    this.field.value = field;
    this.scales.difference.hidden = field === "ratio";
    this.scales.ratio.hidden = field !== "ratio";
  }

  /** Show a comparison (the DiffResponse shape) with run `side` ("a" or "b") on the graph; null hides the panel. */
  show(diff, side) {
    this.container.hidden = diff === null;
    if (diff === null) return;
    for (const [name, button] of Object.entries(this.sides)) button.setAttribute("aria-pressed", String(name === side));
    const [a, b] = [diff.before.loss, diff.after.loss];
    const both = typeof a === "number" && typeof b === "number";
    this.loss.textContent = both ? t("diff.loss", { a, b, delta: b - a }) : t("diff.loss.none");
    this.counts.textContent = t("diff.counts",
      { matched: diff.matched.length, added: diff.added.length, removed: diff.removed.length });
    this.node.hidden = true;
  }

  /** The selected node's difference: its {match, delta} on the shown run's side, or null when only that run has it. */
  showNode(label, mark) {
    this.node.hidden = false;
    if (!mark) return void (this.node.textContent = t("diff.node.only", { label }));
    const field = this.field.value === "data" ? t("diff.field.data") : t("diff.field.grad");
    const { delta } = mark;
    if (!delta) return void (this.node.textContent = t("diff.node.incomparable", { label, field }));
    const norms = delta.before_norm !== null && delta.after_norm !== null
      ? ` ${t("diff.node.norms", { field, a: delta.before_norm, b: delta.after_norm })}` : "";
    this.node.textContent = `${t("diff.node", { label, field, abs: delta.abs, rel: delta.rel })}${norms}`;
  }
}

// The colour scales the graph's nodes are painted with, each with the marks of nodes only one run has.
function differenceLegend() {
  const stops = SCALE_TICKS.map((tick) => el("li", {}, swatch(diffColour(tick)), t("diff.scale.tick", { x: tick })));
  return legend(t("diff.scale"), [el("li", {}, swatch(SAME), t("diff.scale.same")), ...stops]);
}

function ratioLegend() {
  const stops = RATIO_TICKS.map((x) => el("li", {},
    swatch(ratioColour({ before_norm: 1, after_norm: x })), t("diff.scale.ratio.tick", { x })));
  const scale = legend(t("diff.scale.ratio"), stops);
  scale.hidden = true;
  return scale;
}

function legend(title, stops) {
  return el("div", { class: "diff-scale" },
    el("span", { class: "hint" }, title),
    el("ul", {},
      ...stops,
      el("li", { class: "diff-legend-added" }, el("span", { class: "swatch" }), t("diff.added")),
      el("li", { class: "diff-legend-removed" }, el("span", { class: "swatch" }), t("diff.removed"))));
}

// a colour set through the CSSOM: the page's CSP allows no style attributes
function swatch(colour) {
  const part = el("span", { class: "swatch" });
  part.style.background = colour;
  return part;
}

/** Paint (or clear, with `marks` null) the comparison on the graph's SVG: each node of the shown run filled by its
 * relative difference (sideMarks), the nodes only this run has outlined; each painted node carries its relative
 * difference in data-diff-rel. */
export function paintDiff(root, marks) {
  root.classList.toggle("diff-on", marks !== null);
  root.dataset.diffSide = marks?.side ?? "";
  for (const part of root.querySelectorAll(".diff-coloured, .diff-only")) {
    part.classList.remove("diff-coloured", "diff-only");
    part.style.removeProperty("--diff");
    delete part.dataset.diffRel;
  }
  if (marks === null) return;
  for (const part of root.querySelectorAll("[data-node-id]")) {
    const id = part.dataset.nodeId;
    const delta = marks.marks.get(id)?.delta;
    if (delta) {
      part.classList.add("diff-coloured");
      part.style.setProperty("--diff", marks.marks.get(id).colour);
      part.dataset.diffRel = String(delta.rel);
    } else if (marks.only.has(id)) part.classList.add("diff-only");
  }
}

// The inspector: everything about the selected node — facts, value, gradient, saved tensors, source line.

import { el, emit } from "../util/dom.js";
import { formatScalar, formatTensorShort, tableRows } from "../model/number.js";
import { heatmap } from "./heatmap.js";

const TABLE_LIMIT = 64; // up to this many elements as a number table

export class Inspector extends EventTarget {
  constructor() {
    super();
    this.body = el("div", { class: "inspector-body" });
    this.container = el("div", { class: "inspector" }, this.body);
    this.clear();
  }

  clear() {
    this.body.replaceChildren(el("p", { class: "hint" }, "Click a node to inspect it."));
  }

  /** Show a node with the value and gradient it has at this point of the animation, and its source line. */
  show(node, sourceText, { value, grad }) {
    const facts = [
      ["kind", node.kind], ["op", node.op], ["fn", node.fn], ["shape", `[${node.shape.join(", ")}]`],
      ["dtype", node.dtype], ["device", node.device], ["module", node.group],
      ["line", node.span ? String(node.span.line) : null],
    ].filter(([, value]) => value);
    const parts = [
      el("h3", {}, node.label),
      this.#traceButtons(node.id),
      el("dl", { class: "facts" }, facts.flatMap(([key, value]) => [el("dt", {}, key), el("dd", {}, value)])),
      sourceText ? el("pre", { class: "source-line" }, sourceText) : null,
      tensorSection("value", value ?? null),
      tensorSection("grad", grad ?? null),
      savedSection(node.saved),
    ];
    this.body.replaceChildren(...parts.filter(Boolean));
  }

  // "Trace inputs" highlights everything the node depends on; "Clear trace" ends any trace.
  #traceButtons(nodeId) {
    const button = (text, title, name, detail) => el("button", {
      type: "button", title, onclick: () => emit(this, name, detail),
    }, text);
    return el("div", { class: "inspector-actions" },
      button("Trace inputs", "Highlight everything this node depends on", "trace", nodeId),
      button("Clear trace", "Show the whole graph again", "trace", null));
  }
}

function tensorSection(title, tensor) {
  const heading = el("h4", {}, title);
  const missing = title === "grad" ? "not computed yet (not zero)" : "not yet";
  if (!tensor) return el("section", { class: `tensor ${title}` }, heading, el("p", { class: "hint" }, missing));
  return el("section", { class: `tensor ${title}` }, heading, tensorBody(tensor, title));
}

function tensorBody(tensor, title) {
  const rows = tensor.numel <= TABLE_LIMIT ? tableRows(tensor) : null;
  if (rows) return numberTable(rows);
  const grid = tensor.heatmap?.values ?? (tensor.shape.length === 2 ? tensor.values : null);
  return el("div", {}, grid ? heatmap(grid, `${title} [${tensor.shape.join("×")}]`) : null, statsList(tensor));
}

function numberTable(rows) {
  const body = rows.map((row) => el("tr", {}, row.map((v) => el("td", {}, formatScalar(v)))));
  return el("table", { class: "numbers" }, el("tbody", {}, body));
}

function statsList(tensor) {
  const stats = tensor.stats ?? {};
  const entries = ["min", "max", "mean", "std", "norm"].filter((key) => stats[key] !== null && stats[key] !== undefined)
    .map((key) => [key, formatScalar(stats[key])]);
  entries.unshift(["numel", String(tensor.numel)]);
  if (stats.nan) entries.push(["NaN", String(stats.nan)]);
  if (stats.inf) entries.push(["±Inf", String(stats.inf)]);
  return el("dl", { class: "stats" }, entries.flatMap(([key, value]) => [el("dt", {}, key), el("dd", {}, value)]));
}

function savedSection(saved) {
  if (!saved?.length) return null;
  const items = saved.map((tensor) => el("li", {}, `${tensor.name}`,
    tensor.node ? ` (node ${tensor.node})` : "",
    tensor.data ? `: ${formatTensorShort(tensor.data)}` : ""));
  return el("section", { class: "saved" }, el("h4", {}, "saved for backward"), el("ul", {}, items));
}


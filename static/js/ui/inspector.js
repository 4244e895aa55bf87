// The inspector: everything about the selected node — facts, value, gradient, saved tensors, source line.

import { Api, graphOrigin } from "../api.js";
import { el, emit } from "../util/dom.js";
import { formatNumber, formatTensorShort, tableRows } from "../model/number.js";
import { maskOf } from "../model/attention.js";
import { heatmap } from "./heatmap.js";
import { headsFigure } from "./heads.js";
import { kindName } from "./graph-parts.js";
import { ValuesPanel } from "./values.js";
import { t } from "../i18n.js";

const TABLE_LIMIT = 64; // up to this many elements as a number table
const STATS = { min: t("stat.min"), max: t("stat.max"), mean: t("stat.mean"), std: t("stat.std"), norm: t("stat.norm") };

export class Inspector extends EventTarget {
  #panels = new Map(); // field ("data" | "grad") -> the open ValuesPanel of the node shown
  #panelsOf = null; // {node, origin} the open panels belong to: kept while the animation re-renders

  constructor(api = new Api()) {
    super();
    this.api = api;
    this.offline = null; // why "Show all values" is off (in a lesson file, which has no server), or null
    this.body = el("div", { class: "inspector-body" });
    this.container = el("div", { class: "inspector" }, this.body);
    this.clear();
  }

  clear() {
    this.#panels.clear();
    this.body.replaceChildren(el("p", { class: "hint" }, t("inspector.empty")));
  }

  /** Show a node with the value and gradient it has at this point of the animation, and its source line. `call`
   * ({group, members, open}) is the program's call the node belongs to: a collapsed call's box stands for its
   * result, so selecting the box shows the result and lists the autograd nodes inside the call. */
  show(node, sourceText, { value, grad }, call = null) {
    const origin = graphOrigin();
    if (this.#panelsOf?.node !== node.id || this.#panelsOf?.origin !== origin) this.#panels.clear();
    this.#panelsOf = { node: node.id, origin };
    const dropped = Boolean(origin?.heatmapsDropped);
    const mask = maskOf(node.data?.heads);
    const result = call?.group.outputs.includes(node.id);
    const facts = [
      [t("fact.kind"), kindName(node.kind)], [t("fact.op"), node.op], [t("fact.fn"), node.fn],
      [t("fact.shape"), `[${node.shape.join(", ")}]`], [t("fact.dtype"), node.dtype], [t("fact.device"), node.device],
      call ? [t("fact.call"), `${call.group.label} (${call.group.module})`] : [t("fact.module"), node.group],
      [t("fact.line"), node.span ? String(node.span.line) : null],
    ].filter(([, text]) => text);
    const parts = [
      el("h3", {}, result ? call.group.label : node.label),
      result && node.label !== call.group.label ? el("p", { class: "hint" }, t("inspector.result", { label: node.label })) : null,
      this.#traceButtons(node.id),
      el("dl", { class: "facts" }, facts.flatMap(([key, text]) => [el("dt", {}, key), el("dd", {}, text)])),
      sourceText ? el("pre", { class: "source-line" }, sourceText) : null,
      node.uninitialised && !value ? uninitialised()
        : tensorSection("value", value ?? null, dropped, this.#allValues(node, "data", value, origin), mask),
      tensorSection("grad", grad ?? null, dropped, this.#allValues(node, "grad", grad, origin), mask),
      call ? this.#callSection(call) : null,
      savedSection(node.saved),
    ];
    this.body.replaceChildren(...parts.filter(Boolean));
  }

  // The autograd nodes that implement a call, each a button that opens the call and selects it.
  #callSection({ group, members, open }) {
    const items = members.map((member) => el("li", {}, el("button", {
      type: "button", class: "call-member", "data-node": member.id, onclick: () => emit(this, "member", member.id),
    }, member.label), ` ${member.op ?? member.fn ?? member.kind} · [${member.shape.join("×")}]`));
    const toggle = el("button", { type: "button", class: "call-toggle-button",
      onclick: () => emit(this, "toggle-call", group.id) }, t(open ? "inspector.call.close" : "inspector.call.open"));
    return el("section", { class: "call-inside" },
      el("h4", {}, t(members.length === 1 ? "inspector.call.inside.one" : "inspector.call.inside.many",
        { module: group.module, count: String(members.length) })),
      toggle, el("ul", { class: "call-members" }, items));
  }

  // "Trace inputs" highlights everything the node depends on; "Clear trace" ends any trace.
  #traceButtons(nodeId) {
    const button = (text, title, name, detail) => el("button", {
      type: "button", title, onclick: () => emit(this, name, detail),
    }, text);
    return el("div", { class: "inspector-actions" },
      button(t("inspector.trace"), t("inspector.trace.title"), "trace", nodeId),
      button(t("inspector.clear_trace"), t("inspector.clear_trace.title"), "trace", null));
  }

  // A truncated tensor's "Show all values": its open panel, or the button that opens one.
  #allValues(node, field, tensor, origin) {
    if (tensor?.truncated && this.offline) {
      return el("button", { type: "button", class: "show-values", disabled: true, title: this.offline },
        t("inspector.all_values"));
    }
    if (!tensor?.truncated || !origin) return null;
    const open = this.#panels.get(field);
    if (open) return open.container;
    const query = { node: node.id, field, label: node.label, shape: node.shape, numel: tensor.numel };
    const show = el("button", { type: "button", class: "show-values", onclick: () => {
      const panel = new ValuesPanel(this.api, origin.request, query);
      this.#panels.set(field, panel);
      show.replaceWith(panel.container);
      panel.goTo(0);
    } }, t("inspector.all_values"));
    return show;
  }
}

function tensorSection(title, tensor, heatmapsDropped, allValues, mask) {
  const heading = el("h4", {}, t(title === "grad" ? "inspector.grad" : "inspector.value"));
  const missing = t(title === "grad" ? "inspector.grad.missing" : "inspector.value.missing");
  if (!tensor) return el("section", { class: `tensor ${title}` }, heading, el("p", { class: "hint" }, missing));
  return el("section", { class: `tensor ${title}` }, heading, tensorBody(tensor, title, heatmapsDropped, mask),
    allValues);
}

function uninitialised() {
  return el("section", { class: "tensor value" }, el("h4", {}, t("inspector.value")),
    el("p", { class: "hint uninitialised" }, t("inspector.uninitialised")));
}

function tensorBody(tensor, title, heatmapsDropped, mask) {
  const rows = tensor.numel <= TABLE_LIMIT ? tableRows(tensor) : null;
  if (rows) return numberTable(rows);
  if (tensor.heads?.length) {
    const caption = t(title === "grad" ? "inspector.grad.heads" : "inspector.value.heads", { shape: tensor.shape.join("×") });
    return el("div", {}, headsFigure(tensor.heads, mask, caption), statsList(tensor));
  }
  const grid = tensor.heatmap?.values ?? (tensor.shape.length === 2 ? tensor.values : null);
  const leftOut = !grid && heatmapsDropped && hasHeatmapShape(tensor);
  return el("div", {}, grid ? heatmap(grid, `${t(title === "grad" ? "inspector.grad" : "inspector.value")} [${tensor.shape.join("×")}]`) : null,
    leftOut ? el("p", { class: "hint heatmap-left-out" }, t("inspector.heatmap_left_out")) : null, statsList(tensor));
}

// The encoder gives a heatmap to every full truncated tensor whose last two dims are both > 1 (summaries,
// which repeat a gradient a node already shows, have no preview and never get one).
function hasHeatmapShape(tensor) {
  const { shape } = tensor;
  return tensor.truncated && Boolean(tensor.preview) && shape.length >= 2 && Math.min(...shape.slice(-2)) > 1;
}

function numberTable(rows) {
  const body = rows.map((row) => el("tr", {}, row.map((v) => el("td", {}, formatNumber(v)))));
  return el("table", { class: "numbers" }, el("tbody", {}, body));
}

function statsList(tensor) {
  const stats = tensor.stats ?? {};
  const entries = ["min", "max", "mean", "std", "norm"].filter((key) => stats[key] !== null && stats[key] !== undefined)
    .map((key) => [STATS[key], formatNumber(stats[key])]);
  entries.unshift([t("stat.numel"), String(tensor.numel)]);
  if (stats.nan) entries.push(["NaN", String(stats.nan)]);
  if (stats.inf) entries.push(["±Inf", String(stats.inf)]);
  return el("dl", { class: "stats" }, entries.flatMap(([key, value]) => [el("dt", {}, key), el("dd", {}, value)]));
}

function savedSection(saved) {
  if (!saved?.length) return null;
  const items = saved.map((tensor) => el("li", {}, `${tensor.name}`,
    tensor.node ? ` (${t("inspector.saved.node", { node: tensor.node })})` : "",
    tensor.data ? `: ${formatTensorShort(tensor.data)}` : ""));
  return el("section", { class: "saved" }, el("h4", {}, t("inspector.saved")), el("ul", {}, items));
}


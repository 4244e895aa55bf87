// The graph view: draws the laid-out graph in SVG, shows values/grads as the animation reaches them.

import { el, emit, setText, svg } from "../util/dom.js";
import { formatGradShort, formatTensorShort } from "../model/number.js";
import { hiddenNodes, visibleGroups } from "../model/graph.js";
import { PanZoom } from "./pan-zoom.js";
import { KINDS, buildGroup, buildNode, edgeMiddle, edgePath, fitText, place } from "./graph-parts.js";

const EDGE_LABEL_LIMIT = 150; // above this many edges only the pulsing edges show their contribution
const MOVE_MS = 400;

export class GraphView extends EventTarget {
  constructor() {
    super();
    this.layers = {
      groups: svg("g", { class: "groups" }), edges: svg("g", { class: "edges" }),
      nodes: svg("g", { class: "nodes" }), labels: svg("g", { class: "edge-labels" }),
    };
    const viewport = svg("g", { class: "viewport" }, Object.values(this.layers));
    this.svg = svg("svg", { class: "graph", role: "group", "aria-label": "Autograd graph" }, arrowDefs(), viewport);
    this.panZoom = new PanZoom(this.svg, viewport);
    this.container = el("div", { class: "graph-view" }, this.svg, this.#controls(), legend());
    this.nodeEls = new Map();
    this.hidden = new Map();
    this.edgeEls = new Map();
    this.marked = { active: new Set(), pulse: new Map(), highlight: new Set(), selected: null };
    this.marks = new Map(); // class → ids of nodes (or their collapsed groups) and edges: search matches, a trace
    this.#listen();
    new ResizeObserver(() => this.#fixSize()).observe(this.container);
  }

  // A px-sized <svg> is not re-laid (with all its text) whenever anything else on the page changes.
  #fixSize() {
    this.svg.style.width = `${this.container.clientWidth}px`;
    this.svg.style.height = `${this.container.clientHeight}px`;
  }

  #controls() {
    const button = (text, title, onclick) => el("button", { type: "button", title, onclick }, text);
    return el("div", { class: "view-controls" },
      button("Fit", "Fit the graph to the screen", () => this.fit()),
      button("+", "Zoom in", () => this.panZoom.zoomBy(1.25)),
      button("−", "Zoom out", () => this.panZoom.zoomBy(0.8)));
  }

  #listen() {
    const activate = (event) => {
      const header = event.target.closest(".group-header");
      if (header) return emit(this, "toggle-group", header.dataset.groupId);
      const node = event.target.closest("[data-node-id]");
      if (node) emit(this, "select", node.dataset.nodeId);
    };
    this.svg.addEventListener("click", activate);
    this.svg.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      event.stopPropagation();
      activate(event);
    });
  }

  /** Draw a whole graph (after a run). */
  render(index, collapsed) {
    this.index = index;
    this.nodeEls.clear();
    this.marked = { active: new Set(), pulse: new Map(), highlight: new Set(), selected: null };
    this.marks = new Map();
    this.svg.classList.remove("tracing");
    const shown = index.graph.nodes.filter((node) => node.w > 0 && node.h > 0); // the rest: built when expanded
    const parts = shown.map((node) => [node.id, buildNode(node)]);
    for (const [id, part] of parts) this.nodeEls.set(id, { ...part, shown: { value: "", grad: "" } });
    this.layers.nodes.replaceChildren(...parts.map(([, part]) => part.g));
    this.#drawStructure(collapsed);
    const { width, height } = index.graph;
    if (width > 0 && height > 0) this.panZoom.open(width, height);
    const top = shown.reduce((best, node) => (node.y < best.y ? node : best), shown[0]);
    if (top) this.#openOn(top);
  }

  // A graph wider than the screen opens with its topmost node (an input) at the top centre, not on an empty corner.
  #openOn(node) {
    const { k } = this.panZoom.transform;
    const width = this.svg.getBoundingClientRect().width;
    const left = node.x * k + this.panZoom.transform.x;
    if (left >= 0 && left + node.w * k <= width) return;
    this.panZoom.set({ k, x: width / 2 - (node.x + node.w / 2) * k, y: 48 - node.y * k });
  }

  /** Move to a new layout (after collapsing or expanding a group), nodes gliding to their places. */
  relayout(index, collapsed) {
    this.index = index;
    this.svg.classList.add("moving");
    for (const node of index.graph.nodes) {
      const part = this.nodeEls.get(node.id);
      if (part && part.width === node.w && part.height === node.h) place(part.g, node);
      else if (node.w > 0 && node.h > 0) this.#rebuild(node, part);
      else if (part) place(part.g, node);
    }
    this.#drawStructure(collapsed);
    setTimeout(() => this.svg.classList.remove("moving"), MOVE_MS);
  }

  // A node first shown, or shown at a new size, gets its shape drawn for that size.
  #rebuild(node, old) {
    const part = { ...buildNode(node), shown: { value: "", grad: "" } };
    if (old) old.g.replaceWith(part.g);
    else this.layers.nodes.append(part.g);
    this.nodeEls.set(node.id, part);
  }

  #drawStructure(collapsed) {
    const hidden = hiddenNodes(this.index, collapsed);
    this.hidden = hidden;
    for (const [id, part] of this.nodeEls) if (hidden.has(id)) part.g.style.display = "none";
    const groups = visibleGroups(this.index, collapsed).filter((g) => g.w > 0 && g.h > 0);
    this.layers.groups.replaceChildren(...groups.map((g) => buildGroup(g, collapsed.has(g.id))));
    this.edgeEls.clear();
    const paths = [];
    for (const edge of this.index.graph.edges) {
      const owners = [hidden.get(edge.source), hidden.get(edge.target)];
      if (owners[0] !== undefined && owners[0] === owners[1]) continue;
      const path = this.#edgePath(edge);
      this.edgeEls.set(edge.id, { path, label: null });
      paths.push(path);
    }
    this.layers.edges.replaceChildren(...paths);
    this.layers.labels.replaceChildren();
    for (const cls of this.marks.keys()) this.#applyMark(cls);
  }

  #edgePath(edge) {
    const { nodes } = this.index;
    const d = edgePath(edge, nodes.get(edge.source), nodes.get(edge.target));
    return svg("path", { class: "edge", d, "marker-end": "url(#arrow)", "data-edge-id": edge.id });
  }

  fit() {
    const { width, height } = this.index?.graph ?? {};
    if (width > 0 && height > 0) this.panZoom.fit(width, height);
  }

  /** Show the animation state: values, gradients, the active node, pulsing edges and contributions. */
  applyState(state) {
    for (const [id, part] of this.nodeEls) {
      const value = state.values.get(id);
      const grad = state.grads.get(id);
      this.#nodeText(part, "value", value ? `= ${formatTensorShort(value)}` : "");
      this.#nodeText(part, "grad", grad ? `grad ${formatGradShort(grad)}` : "");
    }
    this.#swapClass("active", this.marked.active, state.active, (id) => this.#shownElement(id));
    this.#pulse(state.pulse);
    this.#edgeLabels(state);
    this.marked.active = state.active;
    this.#follow(state.active);
  }

  // A node inside a collapsed group is shown by that group's box.
  #shownElement(id) {
    const owner = this.hidden.get(id);
    if (owner === undefined) return this.nodeEls.get(id)?.g;
    return this.layers.groups.querySelector(`[data-group="${CSS.escape(owner)}"]`);
  }

  // Keep the step being animated on screen (big graphs do not fit at a readable scale).
  #follow(active) {
    const [id] = active;
    if (id !== undefined) this.reveal(id);
  }

  /** Pan so that a node, or the collapsed group box that stands for it, is on screen. */
  reveal(id) {
    const owner = this.hidden.get(id);
    const item = owner === undefined ? this.index.nodes.get(id) : this.index.groups.get(owner);
    if (item && item.w > 0) this.panZoom.reveal(item);
  }

  #nodeText(part, key, text) {
    if (part.shown[key] === text) return;
    part.shown[key] = text;
    setText(part[key], text);
    fitText(part[key], text, part.width);
    part.g.classList.toggle(`has-${key}`, text !== "");
  }

  #swapClass(cls, before, after, find) {
    for (const id of before) if (!after.has(id)) find(id)?.classList.remove(cls);
    for (const id of after) find(id)?.classList.add(cls);
  }

  #pulse(pulse) {
    for (const [id] of this.marked.pulse) this.edgeEls.get(id)?.path.classList.remove("pulse-forward", "pulse-backward");
    for (const [id, direction] of pulse) this.edgeEls.get(id)?.path.classList.add(`pulse-${direction}`);
    this.marked.pulse = pulse;
  }

  #edgeLabels(state) {
    const all = this.index.graph.edges.length <= EDGE_LABEL_LIMIT;
    for (const [id, part] of this.edgeEls) {
      const grad = state.edgeGrads.get(id);
      const show = grad && (state.pulse.has(id) || (all && grad.numel === 1)); // tensors only while moving
      if (!show && part.label) part.label.style.display = "none";
      if (show) this.#edgeLabel(id, part, grad);
    }
  }

  #edgeLabel(id, part, grad) {
    if (!part.label) {
      const edge = this.index.edges.get(id);
      const { x, y } = edgeMiddle(edge, this.index.nodes.get(edge.source), this.index.nodes.get(edge.target));
      part.label = svg("text", { class: "edge-grad", x: x + 4, y });
      this.layers.labels.append(part.label);
    }
    part.label.style.display = "";
    setText(part.label, formatGradShort(grad));
  }

  /** Mark the nodes made by a source line. */
  highlight(ids) {
    this.#swapClass("highlight", this.marked.highlight, new Set(ids), (id) => this.nodeEls.get(id)?.g);
    this.marked.highlight = new Set(ids);
  }

  /** Mark search matches (a match hidden in a collapsed group marks the group's box). */
  markMatches(ids) {
    this.marks.set("match", new Set(ids));
    this.#applyMark("match");
  }

  /** Dim everything but a traced set of nodes and edges ({nodes, edges}), or end the trace (null). */
  trace(traced) {
    this.svg.classList.toggle("tracing", traced !== null);
    this.marks.set("traced", new Set(traced ? [...traced.nodes, ...traced.edges] : []));
    this.#applyMark("traced");
  }

  #applyMark(cls) {
    for (const element of this.svg.querySelectorAll(`.${cls}`)) element.classList.remove(cls);
    for (const id of this.marks.get(cls)) (this.edgeEls.get(id)?.path ?? this.#shownElement(id))?.classList.add(cls);
  }

  select(id) {
    this.nodeEls.get(this.marked.selected)?.g.classList.remove("selected");
    this.nodeEls.get(id)?.g.classList.add("selected");
    this.marked.selected = id;
  }
}

function arrowDefs() {
  const marker = svg("marker", {
    id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
  }, svg("path", { d: "M0,0L10,5L0,10z", class: "arrow-head" }));
  return svg("defs", {}, marker);
}

function legend() {
  const items = KINDS.map(([kind, text]) => el("li", { class: `legend-${kind}` }, el("span", { class: "swatch" }), text));
  return el("ul", { class: "legend", "aria-label": "Legend" }, items);
}

// The graph view: draws the laid-out graph in SVG, shows values/grads as the animation reaches them. The drawing is
// one tab stop (a roving tabindex): arrow keys move between nodes and group headers, Enter selects or toggles.

import { el, emit, setText, svg } from "../util/dom.js";
import { formatGradShort, formatTensorShort } from "../model/number.js";
import { hiddenNodes, visibleGroups } from "../model/graph.js";
import { RovingTabStop, reachable } from "./roving.js";
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
    this.svg = svg("svg", { // tabindex -1: Chromium would make the drawing itself a second tab stop
      class: "graph", role: "group", "aria-label": "Autograd graph", tabindex: -1,
    }, arrowDefs(), viewport);
    this.panZoom = new PanZoom(this.svg, viewport);
    this.note = el("p", { class: "view-note" }, "No graph yet: Run (Ctrl+Enter) draws the program's autograd graph.");
    this.stage = el("div", { class: "graph-stage" }, this.svg, this.#controls(), legend());
    this.container = el("div", { class: "graph-view", "data-state": "empty" }, this.note, this.stage);
    this.tabStop = new RovingTabStop(this.svg, {
      boxes: () => this.#focusBoxes(), reveal: (box) => this.panZoom.reveal(box),
      twinOf: (element) => (element.dataset.groupId === undefined ? null : this.#headerOf(element.dataset.groupId)),
    });
    this.nodeEls = new Map();
    this.hidden = new Map();
    this.edgeEls = new Map();
    this.marked = { active: new Set(), pulse: new Map(), highlight: new Set(), selected: null };
    this.marks = new Map(); // class → ids of nodes (or their collapsed groups) and edges: search matches, a trace
    this.#listen();
    new ResizeObserver(() => this.#fixSize()).observe(this.stage);
  }

  // A px-sized <svg> is not re-laid (with all its text) whenever anything else on the page changes.
  #fixSize() {
    this.svg.style.width = `${this.stage.clientWidth}px`;
    this.svg.style.height = `${this.stage.clientHeight}px`;
  }

  /** Say what the drawing is: "current" (the last run's graph), "partial" (what ran before an error), "stale" (an
   * older run's graph, greyed out) or "empty"; `note` is the sentence above the drawing ("" hides it). */
  showState(state, note = "") {
    this.container.dataset.state = state;
    setText(this.note, note);
    this.note.hidden = note === "";
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
      if (event.key === "Enter" || event.key === " ") activate(event);
      else if (!this.tabStop.arrow(event)) return;
      event.preventDefault();
      event.stopPropagation(); // the player's arrow keys step the animation everywhere else
    });
  }

  // What the keyboard can reach, with boxes in drawing coordinates: shown nodes and the groups' headers.
  #focusBoxes() {
    const boxes = [];
    for (const [id, part] of this.nodeEls) {
      const { x, y, w, h } = this.index.nodes.get(id);
      if (!this.hidden.has(id) && w > 0 && h > 0) boxes.push({ id: part.g, x, y, w, h });
    }
    for (const header of this.layers.groups.querySelectorAll(".group-header")) {
      const group = this.index.groups.get(header.dataset.groupId);
      const collapsed = header.getAttribute("aria-expanded") === "false";
      const box = collapsed ? group : { x: group.x, y: group.y - HEADER_H, w: group.w, h: HEADER_H };
      boxes.push({ id: header, x: box.x, y: box.y, w: box.w, h: box.h });
    }
    return boxes;
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
    this.tabStop.keep();
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
    this.tabStop.keep();
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
    const focusedGroup = reachable(document.activeElement)?.dataset.groupId; // its header is about to be redrawn
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
    if (focusedGroup !== undefined) this.#headerOf(focusedGroup)?.focus();
  }

  #headerOf(groupId) {
    return this.layers.groups.querySelector(`.group-header[data-group-id="${CSS.escape(groupId)}"]`);
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
    this.tabStop.set(this.nodeEls.get(id)?.g);
    this.marked.selected = id;
  }
}

const HEADER_H = 18; // an open group's header line, above its box

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

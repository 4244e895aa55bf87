// The graph view: draws the laid-out graph in SVG, shows values/grads as the animation reaches them, and keeps the
// step being animated readable on screen. A collapsed call is drawn as the node it stands for (its result). The
// drawing is one tab stop (a roving tabindex): arrow keys move between boxes and group headers; Enter selects a node,
// opens or closes a group or a call; Space selects.

import { el, emit, setText, svg } from "../util/dom.js";
import { hiddenNodes, shownCall, visibleGroups } from "../model/graph.js";
import { drawnEdges } from "../model/edges.js";
import {
  READABLE, centreOn, fitTransform, followTransform, openTransform, visibleRect,
} from "../model/camera.js";
import { grown } from "../model/spatial.js";
import { RovingTabStop, reachable } from "./roving.js";
import { PanZoom } from "./pan-zoom.js";
import { Minimap } from "./minimap.js";
import { BoxLayer } from "./box-layer.js";
import { EdgeLines } from "./edge-labels.js";
import { KINDS, buildGroup } from "./graph-parts.js";
import { t } from "../i18n.js";

const MOVE_MS = 400;
const EAGER_LIMIT = 1500; // up to this many boxes everything is drawn at once; above, what the camera reaches
const CHUNK = 300; // boxes (and as many lines) drawn per frame while the camera reaches new parts of a big graph
const HEADER_H = 18; // an open group's header line, above its box

export class GraphView extends EventTarget {
  constructor() {
    super();
    const layer = (cls) => svg("g", { class: cls });
    this.layers = {
      groups: layer("groups"), edges: layer("edges"), hits: layer("edge-hits"), nodes: layer("nodes"),
      calls: layer("calls"), headers: layer("group-headers"), labels: layer("edge-labels"),
    };
    this.svg = svg("svg", { // tabindex -1: Chromium would make the drawing itself a second tab stop
      class: "graph", role: "group", "aria-label": t("view.label"), tabindex: -1,
    }, arrowDefs(), Object.values(this.layers));
    this.minimap = new Minimap();
    this.note = el("p", { class: "view-note" }, t("view.empty"));
    this.stage = el("div", { class: "graph-stage" }, this.svg, this.minimap.container);
    this.legend = el("ul", { class: "legend", "aria-label": t("view.legend") });
    const bar = el("div", { class: "view-bar" }, this.legend, this.#controls()); // under the drawing, never over it
    this.container = el("div", { class: "graph-view", "data-state": "empty" }, this.note, this.stage, bar);
    this.panZoom = new PanZoom(this.stage, this.svg, (transform) => this.#moved(transform));
    this.minimap.addEventListener("centre", (event) => this.#centreOn(event.detail));
    this.edges = new EdgeLines(this.layers, (path, line) => this.#decorateLine(path, line));
    this.boxes = new BoxLayer(this.layers, (id, g) => this.#decorate(id, g));
    this.pending = 0; // the frame that will draw what the camera newly reaches
    this.tabStop = new RovingTabStop(this.svg, {
      boxes: () => this.#focusBoxes(), reveal: (box) => this.#show(box),
      twinOf: (element) => (element.dataset.groupId === undefined ? null : this.#toggleOf(element.dataset.groupId)),
    });
    this.hidden = new Map();
    this.collapsed = new Set();
    this.#resetMarks();
    this.#listen();
  }

  #resetMarks() {
    this.marked = { active: new Set(), highlight: new Set(), selected: null };
    this.marks = new Map(); // class → ids of nodes (or the boxes hiding them) and edges: search matches, a trace
  }

  /** Say what the drawing is: "current" (the last run's graph), "partial" (what ran before an error), "stale" (an
   * older run's graph, greyed out) or "empty"; `note` is the sentence above the drawing ("" hides it). */
  showState(state, note = "") {
    this.container.dataset.state = state;
    setText(this.note, note);
    this.note.hidden = note === "";
  }

  #controls() {
    const button = (text, title, onclick, name = null) => el("button", {
      type: "button", title, onclick, "aria-label": name }, text);
    this.groupButtons = [
      button(t("view.outline"), t("view.outline.title"), () => emit(this, "outline")),
      button(t("view.open_all"), t("view.open_all.title"), () => emit(this, "expand-all")),
    ];
    return el("div", { class: "view-controls" },
      button(t("view.fit"), t("view.fit.title"), () => this.fit()),
      button("+", t("view.zoom_in"), () => this.panZoom.zoomBy(1.25), t("view.zoom_in")),
      button("−", t("view.zoom_out"), () => this.panZoom.zoomBy(0.8), t("view.zoom_out")), this.groupButtons);
  }

  #listen() {
    const activate = (event, key = "") => {
      const toggle = event.target.closest(".group-header, .call-toggle") ??
        (key === "Enter" ? event.target.closest(".call-box") : null);
      if (toggle) return emit(this, "toggle-group", toggle.closest("[data-group-id]").dataset.groupId);
      const node = event.target.closest("[data-node-id]");
      if (node) emit(this, "select", node.dataset.nodeId);
    };
    this.svg.addEventListener("click", (event) => activate(event));
    this.svg.addEventListener("pointerdown", () => { this.pointed = true; }, { capture: true });
    this.svg.addEventListener("focusin", (event) => { // what the keyboard (or a search) focuses comes on screen
      const clicked = this.pointed;
      this.pointed = false;
      if (clicked) return;
      const box = this.#focusBoxes().find((item) => item.id === reachable(event.target));
      if (box) this.#show(box);
    });
    this.svg.addEventListener("dblclick", (event) => {
      const call = event.target.closest(".call-box");
      if (call && !event.target.closest(".call-toggle")) emit(this, "toggle-group", call.dataset.groupId);
    });
    this.svg.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") activate(event, event.key);
      else if (!this.tabStop.arrow(event)) return;
      event.preventDefault();
      event.stopPropagation(); // the player's arrow keys step the animation everywhere else
    });
  }

  // What the keyboard can reach, with boxes in drawing coordinates: shown nodes, calls and the groups' headers.
  #focusBoxes() {
    const boxes = [];
    for (const [id, part] of this.boxes.nodes) {
      const box = this.boxes.drawable.get(id);
      if (box) boxes.push({ id: part.g, ...box });
    }
    for (const [id, part] of this.boxes.calls) boxes.push({ id: part.g, ...boxOf(this.index.groups.get(id)) });
    for (const header of this.layers.headers.children) {
      const group = this.index.groups.get(header.dataset.groupId);
      const collapsed = header.getAttribute("aria-expanded") === "false";
      const width = Math.min(group.w, header.getBBox().width + 12); // the caption, not the whole frame's width
      const box = collapsed ? group : { x: group.x, y: group.y - HEADER_H, w: width, h: HEADER_H };
      boxes.push({ id: header, ...boxOf(box) });
    }
    return boxes;
  }

  /** Draw a whole graph (after a run). */
  render(index, collapsed) {
    this.index = index;
    this.boxes.clear(index);
    this.state = null;
    this.#resetMarks();
    this.svg.classList.remove("tracing");
    const shown = index.graph.nodes.filter((node) => node.w > 0 && node.h > 0);
    this.#explain(index);
    const top = shown.reduce((best, node) => (node.y < best.y ? node : best), shown[0]);
    this.panZoom.set(openTransform(this.panZoom.view, this.#drawing(), top ?? null));
    this.#drawStructure(collapsed);
    this.tabStop.keep();
  }

  // The legend lists the kinds of box this graph has; the group buttons show when it has groups.
  #explain(index) {
    const kinds = new Set(index.graph.nodes.map((node) => node.kind));
    if (index.graph.groups.some((group) => group.kind === "call")) kinds.add("call");
    this.legend.replaceChildren(...KINDS.filter(([kind]) => kinds.has(kind))
      .map(([kind, text]) => el("li", { class: `legend-${kind}` }, el("span", { class: "swatch" }), text)));
    for (const button of this.groupButtons) button.hidden = index.graph.groups.length === 0;
  }

  #drawing() {
    const { width, height } = this.index?.graph ?? {};
    return { w: Math.max(1, width ?? 1), h: Math.max(1, height ?? 1) };
  }

  /** Move to a new layout (after collapsing or expanding a group), nodes gliding to their places. */
  relayout(index, collapsed) {
    this.index = index;
    this.svg.classList.add("moving");
    this.boxes.move(index);
    this.#drawStructure(collapsed);
    this.tabStop.keep();
    setTimeout(() => this.svg.classList.remove("moving"), MOVE_MS);
  }

  // A node's box drawn later gets the marks it should carry.
  #decorate(id, g) {
    const { active, highlight, selected } = this.marked;
    g.classList.toggle("active", active.has(id));
    g.classList.toggle("highlight", highlight.has(id));
    g.classList.toggle("selected", selected === id);
    for (const [cls, ids] of this.marks) g.classList.toggle(cls, ids.has(id));
  }

  #decorateLine(path, line) {
    for (const [cls, ids] of this.marks) if (line.edges.some((id) => ids.has(id))) path.classList.add(cls);
    const direction = line.edges.map((id) => this.state?.pulse.get(id)).find(Boolean);
    if (direction) path.classList.add(`pulse-${direction}`);
  }

  // The camera moved: the minimap follows; a big graph draws what comes into view (once per frame).
  #moved(transform) {
    this.minimap.update(this.panZoom.view, transform);
    if (this.pending || this.boxes.drawable.size <= EAGER_LIMIT) return;
    this.pending = requestAnimationFrame(() => this.#fill());
  }

  // Draw the nodes and lines of the part of the drawing around the view (all of it for a graph of up to
  // EAGER_LIMIT boxes), CHUNK a frame; the health overlay is painted again on what was added.
  #fill() {
    this.pending = 0;
    if (!this.index) return;
    const eager = this.boxes.drawable.size <= EAGER_LIMIT;
    const { view, transform } = this.panZoom;
    const rect = eager ? null : grown(visibleRect(view, transform), Math.max(view.w, view.h) / transform.k / 2);
    const limit = eager ? Infinity : CHUNK;
    const built = this.boxes.fill(rect, limit);
    const more = this.edges.build(rect, limit) || built >= limit;
    if (built) emit(this, "drawn");
    if (more) this.pending = requestAnimationFrame(() => this.#fill());
  }

  #drawStructure(collapsed) {
    const focusedGroup = reachable(document.activeElement)?.dataset.groupId; // about to be redrawn
    const { index } = this;
    this.collapsed = collapsed;
    this.hidden = hiddenNodes(index, collapsed);
    const groups = visibleGroups(index, collapsed).filter((g) => g.w > 0 && g.h > 0);
    const calls = groups.filter((g) => shownCall(index, g.id, collapsed));
    const drawn = groups.filter((g) => !calls.includes(g)).map((g) => buildGroup(g, collapsed.has(g.id)));
    this.layers.groups.replaceChildren(...drawn.map(({ frame }) => frame));
    this.layers.headers.replaceChildren(...drawn.map(({ header }) => header)); // over edges: always clickable
    this.boxes.show(this.hidden, calls);
    const boxes = this.#boxes(groups, calls);
    this.edges.reset(index, drawnEdges(index, this.hidden), boxes);
    this.panZoom.size(this.#drawing().w, this.#drawing().h);
    this.minimap.draw(this.#drawing(), boxes, this.panZoom.view);
    this.minimap.update(this.panZoom.view, this.panZoom.transform);
    cancelAnimationFrame(this.pending);
    this.#fill();
    for (const cls of this.marks.keys()) this.#applyMark(cls);
    this.#swapClass("active", new Set(), this.marked.active, (id) => this.#shownElement(id));
    if (this.marked.selected) this.#shownElement(this.marked.selected)?.classList.add("selected");
    if (this.state) this.applyState(this.state, false);
    if (focusedGroup !== undefined) this.#toggleOf(focusedGroup)?.focus();
  }

  // Every box drawn (nodes, calls, collapsed groups), with its kind: what edge labels avoid and the minimap shows.
  #boxes(groups, calls) {
    const boxes = [...this.boxes.drawable].map(([id, box]) => ({ ...box, kind: this.index.nodes.get(id).kind }));
    for (const group of groups) {
      if (calls.includes(group)) boxes.push({ ...boxOf(group), kind: "call" });
      else if (this.collapsed.has(group.id)) boxes.push({ ...boxOf(group), kind: "group" });
    }
    return boxes;
  }

  // The element that opens or closes a group: an open group's header, a collapsed call's box.
  #toggleOf(groupId) {
    const id = CSS.escape(groupId);
    return this.svg.querySelector(`.group-header[data-group-id="${id}"], .call-box[data-group-id="${id}"]`);
  }

  /** Fit the drawing's width at a readable zoom (all of it when that is readable). */
  fit() {
    if (this.index) this.panZoom.moveTo(fitTransform(this.panZoom.view, this.#drawing(), this.panZoom.transform));
  }

  #centreOn(point) {
    this.panZoom.set(centreOn(this.panZoom.view, this.panZoom.transform, point));
  }

  /** Show the animation state: values, gradients, the active node, pulsing edges and contributions; the camera
   * follows the active node (`follow` false: stay). */
  applyState(state, follow = true) {
    this.state = state;
    this.boxes.showState(state);
    this.#swapClass("active", this.marked.active, state.active, (id) => this.#shownElement(id));
    this.#pulse(state.pulse);
    this.edges.show(state);
    this.marked.active = state.active;
    const [id] = state.active;
    if (follow && id !== undefined) this.reveal(id);
  }

  // A node inside a collapsed group is shown by that group's box (a call's box, or a module's).
  #shownElement(id) {
    const owner = this.hidden.get(id);
    if (owner === undefined) return this.boxes.nodes.get(id)?.g;
    return this.boxes.calls.get(owner)?.g ?? this.layers.groups.querySelector(`[data-group="${CSS.escape(owner)}"]`);
  }

  // The box (drawing coordinates) that shows a node: its own, or that of the collapsed group hiding it.
  #shownBox(id) {
    const owner = this.hidden.get(id);
    const item = owner === undefined ? this.index.nodes.get(id) : this.index.groups.get(owner);
    return item && item.w > 0 ? boxOf(item) : null;
  }

  /** Bring a node (or the box that stands for it) on screen at a readable zoom, gliding there; `zoom` asks for
   * at least that zoom (a search jump zooms in to its match). */
  reveal(id, zoom = READABLE) {
    const box = this.#shownBox(id);
    if (box) this.#show(box, zoom);
  }

  /** Bring what opens or closes a group on screen (after a toggle the layout moved: it stays under the pointer's
   * eye). */
  revealToggle(groupId) {
    const element = this.#toggleOf(groupId);
    const box = element && this.#focusBoxes().find((item) => item.id === element);
    if (box) this.#show(box);
  }

  /** The same for a group: its box when collapsed, else its frame (or the box of the collapsed group around it). */
  revealGroup(groupId, zoom = READABLE) {
    const group = this.index.groups.get(groupId);
    if (group?.w > 0) this.#show(boxOf(group), zoom);
  }

  #show(box, zoom = READABLE) {
    const { view, transform } = this.panZoom;
    const target = followTransform(view, transform, box, { zoom });
    if (target !== transform) this.panZoom.moveTo(target);
  }

  #swapClass(cls, before, after, find) {
    for (const id of before) if (!after.has(id)) find(id)?.classList.remove(cls);
    for (const id of after) find(id)?.classList.add(cls);
  }

  #pulse(pulse) {
    for (const path of this.layers.edges.querySelectorAll(".pulse-forward, .pulse-backward")) {
      path.classList.remove("pulse-forward", "pulse-backward");
    }
    for (const [id, direction] of pulse) this.edges.pathOf(id)?.classList.add(`pulse-${direction}`);
  }

  /** Mark the nodes made by a source line. */
  highlight(ids) {
    this.#swapClass("highlight", this.marked.highlight, new Set(ids), (id) => this.#shownElement(id));
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
    for (const id of this.marks.get(cls)) {
      (this.edges.lineOf(id) ? this.edges.pathOf(id) : this.#shownElement(id))?.classList.add(cls);
    }
  }

  select(id) {
    if (this.marked.selected) this.#shownElement(this.marked.selected)?.classList.remove("selected");
    const element = this.#shownElement(id);
    element?.classList.add("selected");
    if (element?.matches("[data-node-id]")) this.tabStop.set(element);
    this.marked.selected = id;
  }
}

const boxOf = ({ x, y, w, h }) => ({ x, y, w, h });

function arrowDefs() {
  const marker = svg("marker", {
    id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
  }, svg("path", { d: "M0,0L10,5L0,10z", class: "arrow-head" }));
  return svg("defs", {}, marker);
}

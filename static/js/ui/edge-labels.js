// The drawn edges and their labels: one path per drawn line (parallel uses of a value drawn apart), an invisible
// wider path under each for hovering, and the contributions written beside them where they collide with nothing
// (the active step's first); a contribution left out shows while the pointer is on its edge. Paths are built for the
// part of the drawing the view asks for (`build(rect)`): a big graph's lines appear where the camera goes.

import { setText, svg } from "../util/dom.js";
import { formatGradShort } from "../model/number.js";
import { laneOffset, routeMiddle, shiftRoute } from "../model/edges.js";
import { labelSize, placeLabels } from "../model/labels.js";
import { SpatialIndex, boundsOf, grown } from "../model/spatial.js";
import { pathData, routeOf } from "./graph-parts.js";

const ALL_LABELS_LIMIT = 150; // up to this many lines every one-number contribution is written; above, the active ones
const LABEL_ROOM = 60; // px around the written labels' anchors searched for boxes to keep clear of

export class EdgeLines {
  /** `layers`: {edges, hits, labels}; `decorate(path, line)` gives a path built later the marks it should carry. */
  constructor(layers, decorate) {
    Object.assign(this, { layers, decorate });
    this.lines = new Map(); // line id → {line, points, anchor, path, label}
    this.ofEdge = new Map(); // edge id → line id
    this.space = new SpatialIndex([]);
    this.boxes = new SpatialIndex([]);
    this.state = null;
    this.hovered = null;
    layers.hits.addEventListener("pointerover", (event) => this.#hover(event.target.dataset?.line ?? null));
    layers.hits.addEventListener("pointerout", () => this.#hover(null));
  }

  /** A new layout: `lines` (drawnEdges) to draw, `boxes` ({x, y, w, h}) that labels keep clear of. Nothing is built
   * until `build`. */
  reset(index, lines, boxes) {
    this.lines.clear();
    this.ofEdge.clear();
    const bounds = [];
    for (const line of lines) {
      const edge = index.edges.get(line.id);
      const route = routeOf(edge, index.nodes.get(edge.source), index.nodes.get(edge.target));
      const points = shiftRoute(route, laneOffset(line));
      this.lines.set(line.id, { line, points, anchor: routeMiddle(points), path: null, label: null });
      for (const id of line.edges) this.ofEdge.set(id, line.id);
      bounds.push({ id: line.id, ...boundsOf(points) });
    }
    this.space = new SpatialIndex(bounds);
    this.boxes = new SpatialIndex(boxes.map((box, i) => ({ id: i, ...box })));
    this.boxList = boxes;
    for (const layer of [this.layers.edges, this.layers.hits, this.layers.labels]) layer.replaceChildren();
  }

  /** Build the paths of the lines in `rect` (null: all), at most `limit` of them; true when some are left to build. */
  build(rect, limit = Infinity) {
    const paths = [];
    const hits = [];
    let left = false;
    for (const id of this.space.query(rect)) {
      const entry = this.lines.get(id);
      if (entry.path) continue;
      if (paths.length >= limit) {
        left = true;
        break;
      }
      const d = pathData(entry.points);
      entry.path = svg("path", { class: "edge", d, "marker-end": "url(#arrow)", "data-edge-id": id });
      this.decorate(entry.path, entry.line);
      paths.push(entry.path);
      hits.push(svg("path", { class: "edge-hit", d, "data-line": id }));
    }
    this.layers.edges.append(...paths);
    this.layers.hits.append(...hits);
    if (paths.length && this.state) this.show(this.state);
    return left;
  }

  /** The path drawing an edge (a line may draw several edges into one collapsed box), or null when not built. */
  pathOf(edgeId) {
    return this.lines.get(this.ofEdge.get(edgeId))?.path ?? null;
  }

  /** The lines of an edge's drawing, built or not: for marking. */
  lineOf(edgeId) {
    return this.lines.get(this.ofEdge.get(edgeId))?.line ?? null;
  }

  /** Write the contributions of this animation state: the pulsing lines first, then (small graphs) every one-number
   * contribution, each where it fits; only on lines that are drawn. */
  show(state) {
    this.state = state;
    const all = this.lines.size <= ALL_LABELS_LIMIT;
    const pulsing = [];
    const rest = [];
    for (const [id, entry] of this.lines) {
      if (!entry.path) continue;
      const { grad, moving } = this.#gradOf(entry.line, state);
      if (!grad || (!moving && !(all && grad.numel === 1))) continue;
      (moving ? pulsing : rest).push({ id, text: formatGradShort(grad), anchor: entry.anchor });
    }
    const candidates = [...pulsing, ...rest];
    const placed = placeLabels(candidates, this.#boxesNear(candidates));
    for (const [id, entry] of this.lines) this.#label(entry, placed.get(id), id);
    if (this.hovered) this.#hover(this.hovered);
  }

  // The boxes a label might cover: all of a small graph's, those around the anchors of a big one's.
  #boxesNear(candidates) {
    if (this.boxList.length <= 400 || !candidates.length) return this.boxList;
    const near = new Set();
    for (const { anchor } of candidates) {
      for (const i of this.boxes.query(grown({ x: anchor.x, y: anchor.y, w: 0, h: 0 }, LABEL_ROOM))) near.add(i);
    }
    return [...near].map((i) => this.boxList[i]);
  }

  // The contribution a line carries: its first edge that has one (and whether one of its edges is pulsing).
  #gradOf(line, state) {
    let grad = null;
    let moving = false;
    for (const id of line.edges) {
      grad ??= state.edgeGrads.get(id) ?? null;
      moving ||= state.pulse.has(id);
    }
    return { grad, moving };
  }

  #label(entry, spot, id) {
    if (!spot) {
      if (entry.label) entry.label.style.display = "none";
      return;
    }
    if (!entry.label) {
      entry.label = svg("text", { class: "edge-grad", "data-line": id });
      this.layers.labels.append(entry.label);
    }
    const { grad } = this.#gradOf(entry.line, this.state);
    entry.label.setAttribute("x", (spot.x + 2).toFixed(1));
    entry.label.setAttribute("y", (spot.y + spot.h - 3).toFixed(1));
    entry.label.style.display = "";
    entry.label.classList.remove("hover");
    setText(entry.label, formatGradShort(grad));
  }

  // The pointer on a line whose contribution is not written: write it beside the line, over everything.
  #hover(id) {
    const old = this.hovered ? this.lines.get(this.hovered) : null;
    if (old?.label?.classList.contains("hover")) old.label.style.display = "none";
    this.hovered = id;
    const entry = id ? this.lines.get(id) : null;
    if (!entry || !this.state || entry.label?.style.display === "") return;
    const { grad } = this.#gradOf(entry.line, this.state);
    if (!grad) return;
    const { w, h } = labelSize(formatGradShort(grad));
    this.#label(entry, { x: entry.anchor.x + 3, y: entry.anchor.y - h / 2, w, h }, id);
    entry.label.classList.add("hover");
  }
}

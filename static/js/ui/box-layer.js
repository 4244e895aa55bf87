// The boxes of the drawing: one per node the layout shows and one per collapsed call (drawn as the node it stands
// for), with the value and gradient lines the animation fills in. A node's box is built when the view first asks
// for its part of the drawing (`fill`), so a big graph costs what the camera has seen.

import { setText } from "../util/dom.js";
import { formatGradShort, formatTensorShort } from "../model/number.js";
import { SpatialIndex } from "../model/spatial.js";
import { GRAD_WORD, buildCallBox, buildNode, fitLine, place } from "./graph-parts.js";
import { t } from "../i18n.js";

const VALUE_CHAR_W = 6.7; // px per character of a value line

export class BoxLayer {
  /** `layers`: {nodes, calls}; `decorate(id, element)` gives a box built later the marks it should carry. */
  constructor(layers, decorate) {
    Object.assign(this, { layers, decorate });
    this.nodes = new Map(); // node id → {g, value, grad, room, width, height, shown}
    this.calls = new Map(); // call group id → the same, for a collapsed call's box (it shows its result)
    this.drawable = new Map(); // node id → its box, for every node the layout shows (built or not yet)
    this.space = new SpatialIndex([]);
    this.index = null;
    this.state = null;
  }

  /** A new graph: nothing built. */
  clear(index) {
    this.index = index;
    this.state = null;
    this.nodes.clear();
    this.layers.nodes.replaceChildren();
  }

  /** A new layout of the same graph: built boxes glide to their places (or are rebuilt at a new size). */
  move(index) {
    this.index = index;
    for (const [id, part] of this.nodes) {
      const node = index.nodes.get(id);
      if (part.width === node.w && part.height === node.h) place(part.g, node);
      else if (node.w > 0 && node.h > 0) this.#build(node, part);
      else place(part.g, node);
    }
  }

  /** What this layout shows: nodes not `hidden` (node id → collapsed group), and the collapsed `calls` drawn as
   * nodes (their groups), whose boxes are built now. */
  show(hidden, calls) {
    const { index } = this;
    for (const [id, part] of this.nodes) if (hidden.has(id)) part.g.style.display = "none";
    this.drawable = new Map(index.graph.nodes.filter((n) => n.w > 0 && n.h > 0 && !hidden.has(n.id))
      .map((n) => [n.id, { x: n.x, y: n.y, w: n.w, h: n.h }]));
    this.space = new SpatialIndex([...this.drawable].map(([id, box]) => ({ id, ...box })));
    this.calls = new Map(calls.map((group) => [group.id, this.#shown(buildCallBox(group,
      index.nodes.get(group.outputs?.[0])), group.outputs?.[0])]));
    this.layers.calls.replaceChildren(...[...this.calls.values()].map((part) => part.g));
  }

  /** Build the boxes in `rect` (null: all) not built yet, at most `limit`; how many were built. */
  fill(rect, limit = Infinity) {
    let built = 0;
    for (const id of this.space.query(rect)) {
      if (this.nodes.has(id)) continue;
      if (built >= limit) break;
      this.#build(this.index.nodes.get(id));
      built += 1;
    }
    return built;
  }

  #build(node, old = null) {
    const part = this.#shown(buildNode(node), node.id);
    if (old) old.g.replaceWith(part.g);
    else this.layers.nodes.append(part.g);
    this.nodes.set(node.id, part);
    this.decorate(node.id, part.g);
  }

  // A box with its value lines as the animation stands now.
  #shown(part, id) {
    const shown = { ...part, shown: { value: "", grad: "" } };
    if (this.state) this.#values(shown, this.state, id);
    return shown;
  }

  /** Write the values and gradients of an animation state on every box built. */
  showState(state) {
    this.state = state;
    for (const [id, part] of this.nodes) this.#values(part, state, id);
    for (const [id, part] of this.calls) this.#values(part, state, this.index.groups.get(id).outputs?.[0]);
  }

  #values(part, state, id) {
    const value = state.values.get(id);
    if (!value && this.index.nodes.get(id)?.uninitialised) return this.#text(part, "value", t("box.uninitialised"));
    const grad = state.grads.get(id);
    this.#text(part, "value", value ? `= ${formatTensorShort(value)}` : "");
    return this.#text(part, "grad", grad ? `${GRAD_WORD} ${formatGradShort(grad)}` : "");
  }

  #text(part, key, text) {
    if (part.shown[key] === text) return;
    part.shown[key] = text;
    if (part[key]) setText(part[key], fitLine(text, part.room, VALUE_CHAR_W));
    part.g.classList.toggle(`has-${key}`, text !== "");
  }
}

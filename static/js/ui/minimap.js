// The minimap: the whole drawing in miniature (boxes coloured by kind) with the part on screen outlined; shown only
// when the drawing does not fit the view. A click or drag on it moves the view there.

import { el, emit } from "../util/dom.js";
import { visibleRect } from "../model/camera.js";
import { t } from "../i18n.js";

const MAX_W = 150; // px, and at most a quarter of the view's width
const MAX_H = 180; // px, and at most 40 % of its height
const BIG = 1.5; // shown when the drawing is this many times the view, across or down, at the current zoom
const FILL = { input: "--node-input", param: "--node-param", const: "--node-const", op: "--node-op", call: "--node-op",
  output: "--node-output", saved: "--node-saved", group: "--group-stroke" };

export class Minimap extends EventTarget {
  constructor() {
    super();
    this.canvas = el("canvas", { class: "minimap-canvas", width: MAX_W, height: MAX_H });
    this.container = el("div", { class: "minimap", role: "img", "aria-label": t("minimap.label") },
      this.canvas);
    this.container.hidden = true;
    this.picture = null; // the drawing's boxes, rendered once per layout
    this.scale = 1;
    this.drawing = { w: 1, h: 1 };
    this.dragging = false;
    this.canvas.addEventListener("pointerdown", (event) => {
      this.dragging = true;
      this.canvas.setPointerCapture?.(event.pointerId);
      this.#go(event);
    });
    this.canvas.addEventListener("pointermove", (event) => this.dragging && this.#go(event));
    this.canvas.addEventListener("pointerup", () => { this.dragging = false; });
  }

  /** A new layout: `boxes` are [{x, y, w, h, kind}] of everything shown, in a drawing of size {w, h}; `view` the
   * size of the view it sits on. */
  draw(drawing, boxes, view) {
    this.drawing = drawing;
    this.scale = Math.min(Math.min(MAX_W, view.w / 4) / drawing.w, Math.min(MAX_H, view.h * 0.4) / drawing.h);
    const width = Math.max(1, Math.round(drawing.w * this.scale));
    const height = Math.max(1, Math.round(drawing.h * this.scale));
    const picture = new OffscreenCanvas(width, height);
    const context = picture.getContext("2d");
    const style = getComputedStyle(this.container);
    for (const box of boxes) {
      context.fillStyle = style.getPropertyValue(FILL[box.kind] ?? FILL.op) || "#999";
      context.fillRect(box.x * this.scale, box.y * this.scale, Math.max(1, box.w * this.scale),
        Math.max(1, box.h * this.scale));
    }
    this.picture = picture;
    this.stroke = style.getPropertyValue("--accent") || "#06c";
    this.canvas.width = width;
    this.canvas.height = height;
  }

  /** The view moved: outline what it shows; hidden unless the drawing is much bigger than the view. */
  update(view, transform) {
    const shown = visibleRect(view, transform);
    const { w, h } = this.drawing;
    const big = w > BIG * shown.w || h > BIG * shown.h;
    this.container.hidden = !big || !this.picture;
    if (this.container.hidden) return;
    const context = this.canvas.getContext("2d");
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    context.drawImage(this.picture, 0, 0);
    context.strokeStyle = this.stroke;
    context.lineWidth = 2;
    const s = this.scale;
    context.strokeRect(shown.x * s, shown.y * s, shown.w * s, shown.h * s);
  }

  #go(event) {
    const box = this.canvas.getBoundingClientRect();
    const point = { x: (event.clientX - box.left) / this.scale, y: (event.clientY - box.top) / this.scale };
    emit(this, "centre", point);
  }
}

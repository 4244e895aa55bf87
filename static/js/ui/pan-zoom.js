// Pan (drag the background, one finger), zoom (wheel, pinch, around the pointer) and smooth camera moves for the
// graph's <svg>. The camera is a CSS transform of the whole <svg> element, which Chromium composites without
// painting the drawing again: thousands of nodes pan and zoom at the display's rate (an SVG `transform` attribute
// repainted all of them each frame: 3 fps zooming 1,100 nodes). Once a zoom settles, the layer is rastered again at
// the new scale so that text stays sharp.

import { between, zoomAround } from "../model/camera.js";

const SETTLE_MS = 200; // after the last zoom, raster the drawing again at its new scale
const MOVE_MS = 320; // a camera move (following the animation, a search jump)
const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;

export class PanZoom {
  /** `stage` receives the gestures; `svgElement` is moved. `onchange(transform)` hears every move. */
  constructor(stage, svgElement, onchange = () => {}) {
    Object.assign(this, { stage, svg: svgElement, onchange });
    this.transform = { x: 0, y: 0, k: 1 };
    this.rasterK = 1;
    this.pointers = new Map(); // pointerId → {x, y} while pressed on the background
    this.gesture = null;
    this.motion = 0; // id of the running camera move; 0 when none
    this.settling = 0;
    this.instant = false; // true while a video is recorded: every move lands at once (ui/recorder.js)
    stage.addEventListener("wheel", (event) => this.#wheel(event), { passive: false });
    stage.addEventListener("pointerdown", (event) => this.#down(event));
    stage.addEventListener("pointermove", (event) => this.#move(event));
    for (const name of ["pointerup", "pointercancel"]) stage.addEventListener(name, (event) => this.#up(event));
    // focusing a box scrolls the stage to it (overflow: hidden still scrolls): the camera alone moves the drawing
    stage.addEventListener("scroll", () => stage.scrollTo(0, 0));
  }

  /** The visible area in px ({w, h}). */
  get view() {
    return { w: this.stage.clientWidth, h: this.stage.clientHeight };
  }

  /** Size the <svg> to the drawing (drawing coordinates are its CSS px at zoom 1). */
  size(width, height) {
    this.svg.setAttribute("width", String(Math.ceil(width)));
    this.svg.setAttribute("height", String(Math.ceil(height)));
  }

  /** Jump to a transform. */
  set(transform) {
    this.motion = 0;
    this.#apply(transform);
  }

  /** Glide to a transform (at once where the person asked for reduced motion). */
  moveTo(target, ms = MOVE_MS) {
    if (ms <= 0 || this.instant || reducedMotion()) return this.set(target);
    const from = { ...this.transform };
    const start = performance.now();
    const id = ++this.motion;
    const frame = (now) => {
      if (this.motion !== id) return;
      const t = Math.min(1, (now - start) / ms);
      this.#apply(between(from, target, t));
      if (t < 1) requestAnimationFrame(frame);
      else this.motion = 0;
    };
    requestAnimationFrame(frame);
  }

  /** Zoom by a factor around a point of the view (its centre by default). */
  zoomBy(factor, px = this.view.w / 2, py = this.view.h / 2) {
    this.set(zoomAround(this.transform, factor, px, py));
  }

  #apply(transform) {
    this.transform = transform;
    const { x, y, k } = transform;
    this.svg.style.transform = `translate(${x.toFixed(1)}px, ${y.toFixed(1)}px) scale(${k.toFixed(4)})`;
    if (Math.abs(k / this.rasterK - 1) > 0.05) this.#settleLater();
    this.onchange(transform);
  }

  // A composited layer keeps the scale it was rastered at: raster it again once zooming stops.
  #settleLater() {
    clearTimeout(this.settling);
    this.settling = setTimeout(() => {
      if (this.motion) return this.#settleLater();
      this.rasterK = this.transform.k;
      this.svg.style.willChange = "auto";
      requestAnimationFrame(() => requestAnimationFrame(() => { this.svg.style.willChange = ""; }));
    }, SETTLE_MS);
  }

  #point(event) {
    const box = this.stage.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  #wheel(event) {
    event.preventDefault();
    const { x, y } = this.#point(event);
    this.zoomBy(Math.exp(-event.deltaY * 0.0015), x, y);
  }

  #down(event) {
    if (event.target.closest?.("[data-node-id], .group-header, .minimap, .view-controls, button")) return;
    this.pointers.set(event.pointerId, this.#point(event));
    this.stage.setPointerCapture?.(event.pointerId);
    this.#startGesture();
  }

  // One pointer drags; two pinch (zoom around their midpoint) and drag together.
  #startGesture() {
    const points = [...this.pointers.values()];
    this.motion = 0;
    this.gesture = points.length ? { from: { ...this.transform }, points } : null;
  }

  #move(event) {
    if (!this.gesture || !this.pointers.has(event.pointerId)) return;
    this.pointers.set(event.pointerId, this.#point(event));
    const { from, points } = this.gesture;
    const now = [...this.pointers.values()];
    if (now.length === 1 || points.length === 1) {
      this.#apply({ ...from, x: from.x + now[0].x - points[0].x, y: from.y + now[0].y - points[0].y });
      return;
    }
    const [a, b] = now;
    const [a0, b0] = points;
    const factor = Math.hypot(a.x - b.x, a.y - b.y) / Math.max(1, Math.hypot(a0.x - b0.x, a0.y - b0.y));
    const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    const mid0 = { x: (a0.x + b0.x) / 2, y: (a0.y + b0.y) / 2 };
    const zoomed = zoomAround(from, factor, mid0.x, mid0.y);
    this.#apply({ ...zoomed, x: zoomed.x + mid.x - mid0.x, y: zoomed.y + mid.y - mid0.y });
  }

  #up(event) {
    if (!this.pointers.delete(event.pointerId)) return;
    this.#startGesture();
  }
}

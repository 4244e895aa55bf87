// Pan (drag the background) and zoom (wheel, around the pointer) for an SVG viewport group; fit to screen.

const MIN_SCALE = 0.02;
const MAX_SCALE = 4;
const READABLE_SCALE = 0.6; // below this node text is too small to read: big graphs open at the top instead

export class PanZoom {
  constructor(svgElement, viewport) {
    this.svg = svgElement;
    this.viewport = viewport;
    this.transform = { x: 0, y: 0, k: 1 };
    this.drag = null;
    svgElement.addEventListener("wheel", (event) => this.#wheel(event), { passive: false });
    svgElement.addEventListener("pointerdown", (event) => this.#start(event));
    svgElement.addEventListener("pointermove", (event) => this.#move(event));
    svgElement.addEventListener("pointerup", () => { this.drag = null; });
  }

  /** Scale and centre a width × height drawing in the visible area. */
  fit(width, height, margin = 24) {
    const box = this.svg.getBoundingClientRect();
    const k = clamp(Math.min((box.width - 2 * margin) / width, (box.height - 2 * margin) / height, 1.5));
    this.set({ k, x: (box.width - width * k) / 2, y: Math.max(margin, (box.height - height * k) / 2) });
  }

  /** Show the top of the drawing at a readable scale when fitting all of it would make the text illegible. */
  open(width, height, margin = 24) {
    this.fit(width, height, margin);
    if (this.transform.k >= READABLE_SCALE) return;
    const box = this.svg.getBoundingClientRect();
    const k = Math.max(READABLE_SCALE, Math.min(1, (box.width - 2 * margin) / width));
    this.set({ k, x: Math.max(margin, (box.width - width * k) / 2), y: margin });
  }

  /** Pan so that a box (drawing coordinates) is on screen, centring it when it was not. */
  reveal(item) {
    const box = this.svg.getBoundingClientRect();
    const { x, y, k } = this.transform;
    const left = item.x * k + x;
    const top = item.y * k + y;
    const inside = left >= 0 && top >= 0 && left + item.w * k <= box.width && top + item.h * k <= box.height;
    if (inside) return;
    this.set({ k, x: box.width / 2 - (item.x + item.w / 2) * k, y: box.height / 2 - (item.y + item.h / 2) * k });
  }

  /** Zoom by a factor around a point in screen coordinates (the centre by default). */
  zoomBy(factor, px, py) {
    const box = this.svg.getBoundingClientRect();
    const cx = px ?? box.width / 2;
    const cy = py ?? box.height / 2;
    const { x, y, k } = this.transform;
    const next = clamp(k * factor);
    this.set({ k: next, x: cx - ((cx - x) * next) / k, y: cy - ((cy - y) * next) / k });
  }

  set(transform) {
    this.transform = transform;
    const { x, y, k } = transform;
    this.viewport.setAttribute("transform", `translate(${x.toFixed(1)},${y.toFixed(1)}) scale(${k.toFixed(4)})`);
  }

  #wheel(event) {
    event.preventDefault();
    const box = this.svg.getBoundingClientRect();
    this.zoomBy(Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top);
  }

  #start(event) {
    if (event.target.closest("[data-node-id], .group-header")) return;
    this.drag = { x: event.clientX, y: event.clientY, from: { ...this.transform } };
    this.svg.setPointerCapture?.(event.pointerId);
  }

  #move(event) {
    if (!this.drag) return;
    const { from } = this.drag;
    this.set({ ...from, x: from.x + event.clientX - this.drag.x, y: from.y + event.clientY - this.drag.y });
  }
}

function clamp(k) {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, k));
}

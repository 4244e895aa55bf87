// Pure: a grid over the drawing that finds the items (boxes, edge routes) in a rectangle without looking at all of
// them — the view draws a big graph's items only where the camera has been.

const CELL = 400; // px side of a cell, in drawing coordinates

export class SpatialIndex {
  /** `items`: [{id, x, y, w, h}] (a route's bounding box for an edge). */
  constructor(items) {
    this.items = items;
    this.cells = new Map();
    for (const item of items) {
      for (const key of cellsOf(item)) {
        if (!this.cells.has(key)) this.cells.set(key, []);
        this.cells.get(key).push(item);
      }
    }
  }

  /** Ids of the items that overlap `rect` ({x, y, w, h}), each once; null: every item. */
  query(rect) {
    if (rect === null) return new Set(this.items.map((item) => item.id));
    const found = new Set();
    for (const key of cellsOf(rect)) {
      for (const item of this.cells.get(key) ?? []) {
        if (!found.has(item.id) && touches(item, rect)) found.add(item.id);
      }
    }
    return found;
  }
}

function cellsOf({ x, y, w, h }) {
  const keys = [];
  for (let cx = Math.floor(x / CELL); cx <= Math.floor((x + w) / CELL); cx += 1) {
    for (let cy = Math.floor(y / CELL); cy <= Math.floor((y + h) / CELL); cy += 1) keys.push(`${cx},${cy}`);
  }
  return keys;
}

function touches(a, b) {
  return a.x <= b.x + b.w && b.x <= a.x + a.w && a.y <= b.y + b.h && b.y <= a.y + a.h;
}

/** The bounding box of a route's points. */
export function boundsOf(points) {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}

/** A rectangle grown by `margin` on every side. */
export function grown(rect, margin) {
  return { x: rect.x - margin, y: rect.y - margin, w: rect.w + 2 * margin, h: rect.h + 2 * margin };
}

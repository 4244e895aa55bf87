// Pure camera arithmetic for the graph view: which zoom keeps node labels readable, where the view opens, what Fit
// shows, and how far to move so that the node being animated stays on screen. A transform {x, y, k} maps drawing
// coordinates to screen ones: screen = drawing × k + (x, y).

export const LABEL_PX = 12; // font size of a node's label at zoom 1 (graph.css)
export const MIN_LABEL_PX = 11; // the smallest a label may render at the default and the fitted zoom
export const READABLE = Math.ceil((MIN_LABEL_PX / LABEL_PX) * 100) / 100; // the lowest readable zoom (0.92)
export const MIN_SCALE = 0.02;
export const MAX_SCALE = 4;
const MAX_FIT = 1.5; // a tiny graph is not blown up past this
const MARGIN = 24; // px kept free around a fitted drawing

export const clampScale = (k) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, k));

/** The zoom at which `drawing` ({w, h}) fits whole in `view` ({w, h}). */
export function fitAllScale(view, drawing, margin = MARGIN) {
  return Math.min((view.w - 2 * margin) / drawing.w, (view.h - 2 * margin) / drawing.h, MAX_FIT);
}

/** Where a freshly drawn graph opens: all of it when that is readable; else at the readable zoom (as much of it as
 * can be read at once), from the top, centred on `anchor` (a box, e.g. the topmost node) when wider than the view. */
export function openTransform(view, drawing, anchor = null, margin = MARGIN) {
  const all = fitAllScale(view, drawing, margin);
  if (all >= READABLE) return centred(view, drawing, all);
  return { k: READABLE, x: horizontal(view, drawing, READABLE, anchor, margin), y: margin };
}

/** Fit: all of the drawing when readable; else the readable zoom, across the width as far as it goes, keeping the
 * part now in the middle of the view (never a sliver of unreadable text). */
export function fitTransform(view, drawing, current, margin = MARGIN) {
  const all = fitAllScale(view, drawing, margin);
  if (all >= READABLE) return centred(view, drawing, all);
  const k = READABLE;
  const middle = (view.h / 2 - current.y) / current.k; // drawing y at the centre of the view now
  const y = clamp(view.h / 2 - middle * k, view.h - margin - drawing.h * k, margin);
  const x = horizontal(view, drawing, k, { x: (view.w / 2 - current.x) / current.k, w: 0 }, margin);
  return { k, x, y };
}

function centred(view, drawing, k) {
  return { k, x: (view.w - drawing.w * k) / 2, y: Math.max(MARGIN / 2, (view.h - drawing.h * k) / 2) };
}

// Centre the drawing when it fits across, else centre the anchor, without showing empty space past either side.
function horizontal(view, drawing, k, anchor, margin) {
  const width = drawing.w * k;
  if (width + 2 * margin <= view.w || !anchor) return (view.w - width) / 2;
  const x = view.w / 2 - (anchor.x + anchor.w / 2) * k;
  return clamp(x, view.w - margin - width, margin);
}

function clamp(value, low, high) {
  return low > high ? (low + high) / 2 : Math.min(high, Math.max(low, value));
}

/** Whether a box (drawing coordinates) lies wholly inside the view, `inset` px from its edges. */
export function isOnScreen(view, transform, box, inset = 0) {
  const { x, y, k } = transform;
  const left = box.x * k + x;
  const top = box.y * k + y;
  return left >= inset && top >= inset && left + box.w * k <= view.w - inset && top + box.h * k <= view.h - inset;
}

/** The transform that shows `box` readably: unchanged when it already is; else centred on it, zoomed in to the
 * readable zoom if the view is below it (`zoom` sets a zoom to go to at least, e.g. for a search jump). */
export function followTransform(view, transform, box, { zoom = READABLE, inset = 16 } = {}) {
  if (transform.k >= zoom && isOnScreen(view, transform, box, inset)) return transform;
  const k = Math.max(transform.k, zoom);
  return { k, x: view.w / 2 - (box.x + box.w / 2) * k, y: view.h / 2 - (box.y + box.h / 2) * k };
}

/** Zoom by `factor` around a screen point (px, py), the zoom kept within its bounds. */
export function zoomAround(transform, factor, px, py) {
  const { x, y, k } = transform;
  const next = clampScale(k * factor);
  return { k: next, x: px - ((px - x) * next) / k, y: py - ((py - y) * next) / k };
}

/** The transform a fraction `t` (0..1) of the way from `a` to `b`, eased (fast start, gentle stop). */
export function between(a, b, t) {
  const e = 1 - (1 - t) ** 3;
  const k = a.k * (b.k / a.k) ** e; // zoom moves geometrically: each step looks the same size
  return { k, x: a.x + (b.x - a.x) * e, y: a.y + (b.y - a.y) * e };
}

/** The part of the drawing the view shows, in drawing coordinates (for the minimap). */
export function visibleRect(view, transform) {
  const { x, y, k } = transform;
  return { x: -x / k, y: -y / k, w: view.w / k, h: view.h / k };
}

/** The transform that centres the view on a drawing point at the same zoom (a click on the minimap). */
export function centreOn(view, transform, point) {
  const { k } = transform;
  return { k, x: view.w / 2 - point.x * k, y: view.h / 2 - point.y * k };
}

// Pure placement of edge labels (the contributions written on edges): each label goes beside its edge where it
// overlaps neither another label nor a box; a label with no free place is left out (the page shows it on hover).
// Candidates are placed in the order given, so the caller puts the ones that matter most (the active step) first.

const CHAR_W = 6.1; // px per character of the 10 px monospace edge label
const LABEL_H = 12;
const GAP = 3;
const CELL = 64; // px side of a spatial-hash cell

/** The size a label's text takes. */
export function labelSize(text) {
  return { w: text.length * CHAR_W + 4, h: LABEL_H };
}

/** Map id → {x, y, w, h} (top-left corner) for the labels that fit. `candidates`: [{id, text, anchor: {x, y}}];
 * `obstacles`: boxes ({x, y, w, h}) no label may cover. */
export function placeLabels(candidates, obstacles) {
  const grid = new Map();
  for (const box of obstacles) insert(grid, box);
  const placed = new Map();
  for (const { id, text, anchor } of candidates) {
    const { w, h } = labelSize(text);
    const spot = spots(anchor, w, h).find((box) => !collides(grid, box));
    if (!spot) continue;
    insert(grid, spot);
    placed.set(id, spot);
  }
  return placed;
}

// Right of the anchor, left of it, then the same a line higher and lower.
function spots({ x, y }, w, h) {
  const right = x + GAP;
  const left = x - GAP - w;
  const rows = [y - h / 2, y - h / 2 - h - GAP, y - h / 2 + h + GAP];
  return rows.flatMap((top) => [{ x: right, y: top, w, h }, { x: left, y: top, w, h }]);
}

function cells(box) {
  const keys = [];
  for (let cx = Math.floor(box.x / CELL); cx <= Math.floor((box.x + box.w) / CELL); cx += 1) {
    for (let cy = Math.floor(box.y / CELL); cy <= Math.floor((box.y + box.h) / CELL); cy += 1) keys.push(`${cx},${cy}`);
  }
  return keys;
}

function insert(grid, box) {
  for (const key of cells(box)) {
    if (!grid.has(key)) grid.set(key, []);
    grid.get(key).push(box);
  }
}

function collides(grid, box) {
  return cells(box).some((key) => (grid.get(key) ?? []).some((other) => overlaps(box, other)));
}

/** Whether two boxes share any area. */
export function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

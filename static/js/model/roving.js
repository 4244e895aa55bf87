// Pure keyboard navigation over boxes laid out on a plane (the graph's nodes and group headers): the graph is one
// tab stop, and the arrow keys move to the nearest box in their direction.

const AXES = {
  ArrowDown: { main: "y", sign: 1 }, ArrowUp: { main: "y", sign: -1 },
  ArrowRight: { main: "x", sign: 1 }, ArrowLeft: { main: "x", sign: -1 },
};
const CROSS = { x: "y", y: "x" };
const SIDEWAYS_COST = 2; // a box straight ahead beats a nearer one far to the side

const centre = (box) => ({ x: box.x + box.w / 2, y: box.y + box.h / 2 });

/** The id of the box nearest to box `fromId` in the direction of an arrow key ("ArrowDown"...), or null. */
export function nearestInDirection(boxes, fromId, key) {
  const axis = AXES[key];
  const from = boxes.find((box) => box.id === fromId);
  if (!axis || !from) return null;
  const origin = centre(from);
  let best = null;
  for (const box of boxes) {
    const c = centre(box);
    const ahead = (c[axis.main] - origin[axis.main]) * axis.sign;
    if (box.id === fromId || ahead <= 0.5) continue;
    const score = ahead + SIDEWAYS_COST * Math.abs(c[CROSS[axis.main]] - origin[CROSS[axis.main]]);
    if (!best || score < best.score) best = { id: box.id, score };
  }
  return best?.id ?? null;
}

/** The id of the first box in reading order (top to bottom, then left to right), or null when there is none. */
export function firstInReadingOrder(boxes) {
  let first = null;
  for (const box of boxes) if (!first || box.y < first.y || (box.y === first.y && box.x < first.x)) first = box;
  return first?.id ?? null;
}

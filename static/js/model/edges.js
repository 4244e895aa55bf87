// Pure: the edges as drawn for one collapse state. Every use of a value is its own edge (`a + a` has two, drawn
// apart, each with its own contribution); edges inside one collapsed box are not drawn; the edges that enter (or
// leave) a collapsed box from one outside node are one line, since the box stands for one call that takes that
// value once (its internal fan-out is the call's own business, shown when it is opened).

const LANE_GAP = 10; // px between parallel lines of the same two boxes

/** [{id, edges, source, target, lane, lanes}] in graph order: `id` is the first edge's id, `edges` every edge drawn
 * by this line, `source`/`target` the shown boxes (a node id, or the collapsed group hiding the node), `lane` of
 * `lanes` its place among the lines joining the same two boxes. `hidden`: node id → collapsed group (hiddenNodes). */
export function drawnEdges(index, hidden) {
  const lines = new Map(); // line key → line
  const between = new Map(); // "source|target" of the shown boxes → lines joining them
  for (const edge of index.graph.edges) {
    const source = hidden.get(edge.source) ?? edge.source;
    const target = hidden.get(edge.target) ?? edge.target;
    if (source === target && hidden.has(edge.source)) continue; // inside one collapsed box
    const whole = !hidden.has(edge.source) && !hidden.has(edge.target);
    const key = whole ? edge.id : `${source}|${target}`;
    const line = lines.get(key);
    if (line) {
      line.edges.push(edge.id);
      continue;
    }
    const made = { id: edge.id, edges: [edge.id], source, target, lane: 0, lanes: 1 };
    lines.set(key, made);
    const pair = `${source}|${target}`;
    if (!between.has(pair)) between.set(pair, []);
    between.get(pair).push(made);
  }
  for (const parallel of between.values()) {
    parallel.forEach((line, lane) => Object.assign(line, { lane, lanes: parallel.length }));
  }
  return [...lines.values()];
}

/** How far (px, across the line's direction) a line is moved so that parallel lines lie apart: 0 for a lone one. */
export function laneOffset(line) {
  return (line.lane - (line.lanes - 1) / 2) * LANE_GAP;
}

/** A route's points moved sideways by `offset` px (perpendicular to the route's overall direction). */
export function shiftRoute(points, offset) {
  if (!offset || points.length < 2) return points;
  const first = points[0];
  const last = points.at(-1);
  const length = Math.hypot(last.x - first.x, last.y - first.y) || 1;
  const dx = (-(last.y - first.y) / length) * offset;
  const dy = ((last.x - first.x) / length) * offset;
  return points.map((p) => ({ x: p.x + dx, y: p.y + dy }));
}

/** The point halfway along a route (by length), where its contribution is written. */
export function routeMiddle(points) {
  const lengths = points.slice(1).map((p, i) => Math.hypot(p.x - points[i].x, p.y - points[i].y));
  let left = lengths.reduce((sum, d) => sum + d, 0) / 2;
  for (let i = 0; i < lengths.length; i += 1) {
    if (left <= lengths[i] && lengths[i] > 0) {
      const t = left / lengths[i];
      const [a, b] = [points[i], points[i + 1]];
      return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
    }
    left -= lengths[i];
  }
  return points[0] ?? { x: 0, y: 0 };
}

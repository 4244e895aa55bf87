// Comparing two runs (issue 20, part 1): nodes matched by program position, each one's value and gradient delta.
// The same rules as app/diff (the server's POST /diff); tests/js/fixtures/diff.json holds cases both answer alike.
//
// A node's position is where its span starts (line, column; a line of the earlier program is first moved to its
// line in the later one), its label (the program's words) and how many nodes before it in forward order had that
// same place and label (the k-th pass of a loop). The op is not part of it: sigmoid swapped for relu stays one node.

import { toNumber } from "./number.js";

export const MAX_CELLS = 1_000_000; // changed lines before × after beyond which they are paired in order only

/** 1-based line numbers of `before` → their line in `after` (a Map), for every line that has one. */
export function alignLines(before, after) {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a.at(-1 - end) === b.at(-1 - end)) end += 1;
  const kept = [];
  for (let i = 0; i < start; i += 1) kept.push([i, i]);
  for (const [i, j] of common(a.slice(start, a.length - end), b.slice(start, b.length - end))) {
    kept.push([start + i, start + j]);
  }
  for (let k = 0; k < end; k += 1) kept.push([a.length - end + k, b.length - end + k]);
  const pairs = new Map();
  let previous = [-1, -1];
  for (const anchor of [...kept, [a.length, b.length]]) { // the gap before each kept pair: paired in order
    const gap = Math.min(anchor[0] - previous[0], anchor[1] - previous[1]) - 1;
    for (let k = 0; k < gap; k += 1) pairs.set(previous[0] + 2 + k, previous[1] + 2 + k);
    if (anchor[0] < a.length) pairs.set(anchor[0] + 1, anchor[1] + 1);
    previous = anchor;
  }
  return pairs;
}

// 0-based index pairs of a longest common subsequence (ties: the earlier line of `a` is kept).
function common(a, b) {
  if (!a.length || !b.length || a.length * b.length > MAX_CELLS) return [];
  const width = b.length + 1;
  const longest = new Int32Array((a.length + 1) * width); // [i][j]: of a[i:] and b[j:]
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      longest[i * width + j] = a[i] === b[j] ? longest[(i + 1) * width + j + 1] + 1
        : Math.max(longest[(i + 1) * width + j], longest[i * width + j + 1]);
    }
  }
  const pairs = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i += 1;
      j += 1;
    } else if (longest[(i + 1) * width + j] >= longest[i * width + j + 1]) i += 1;
    else j += 1;
  }
  return pairs;
}

/** The DiffResponse of two GraphResponses (as POST /diff answers it); the sources are the programs that made them
 * (a missing one: lines are compared as they are). The nodes left over after matching by position are matched by
 * column and label alone (a line edited next to an inserted one: the paired lines are off by one). */
export function diffGraphs(before, after, beforeSource, afterSource) {
  const lines = beforeSource && afterSource ? alignLines(beforeSource, afterSource) : null;
  const pairs = pair(before.nodes, after.nodes, (node) => place(node, lines), (node) => place(node, null));
  const taken = new Set(pairs.values());
  for (const [first, later] of pair(before.nodes.filter((node) => !pairs.has(node.id)),
    after.nodes.filter((node) => !taken.has(node.id)), name, name)) pairs.set(first, later);
  const earlier = new Map(before.nodes.map((node) => [node.id, node]));
  const twin = new Map([...pairs].map(([first, later]) => [later, earlier.get(first)]));
  return {
    matched: after.nodes.filter((node) => twin.has(node.id)).map((node) => match(twin.get(node.id), node)),
    added: after.nodes.filter((node) => !twin.has(node.id)).map((node) => node.id),
    removed: before.nodes.filter((node) => !pairs.has(node.id)).map((node) => node.id),
    before: side(before),
    after: side(after),
  };
}

// Node id before → node id after, for nodes at equal places that are the same occurrence of it (the k-th node there
// in forward order: the k-th pass of a loop, the k-th layer of one `model(x)`).
function pair(before, after, placeBefore, placeAfter) {
  const later = new Map(occurrences(after, placeAfter));
  const pairs = new Map();
  for (const [key, node] of occurrences(before, placeBefore)) if (later.has(key)) pairs.set(node.id, later.get(key).id);
  return pairs;
}

function occurrences(nodes, placeOf) {
  const seen = new Map();
  const found = [];
  for (const node of nodes) {
    const where = placeOf(node);
    if (where === null) continue;
    const k = (seen.get(where) ?? -1) + 1;
    seen.set(where, k);
    found.push([`${k}:${where}`, node]);
  }
  return found;
}

// Where the node's code starts and its label; a line of the earlier program moved to the later one's (null: gone).
function place(node, lines) {
  let line = node.span ? node.span.line : 0;
  const col = node.span ? node.span.col : -1;
  if (lines !== null && line > 0) {
    if (!lines.has(line)) return null;
    line = lines.get(line);
  }
  return JSON.stringify([line, col, node.label]);
}

function name(node) {
  return JSON.stringify([node.span ? node.span.col : -1, node.label]);
}

function match(before, after) {
  return {
    before: before.id, after: after.id, label: after.label,
    data: tensorDelta(before.data, after.data), grad: tensorDelta(before.grad, after.grad),
  };
}

/** How far apart two TensorData are: the largest elementwise |after − before| and that over the largest magnitude
 * of either, when both carry all their values in one shape; else the same on their norms. null when either is
 * missing or not finite. */
export function tensorDelta(before, after) {
  if (!before || !after) return null;
  const norms = [norm(before), norm(after)];
  const a = flat(before);
  const b = flat(after);
  let gap;
  let scale;
  let basis;
  if (a !== null && b !== null && sameShape(before.shape, after.shape)) {
    if (![...a, ...b].every(Number.isFinite)) return null;
    gap = a.reduce((most, x, k) => Math.max(most, Math.abs(b[k] - x)), 0);
    scale = [...a, ...b].reduce((most, v) => Math.max(most, Math.abs(v)), 0);
    basis = "values";
  } else if (norms[0] !== null && norms[1] !== null) {
    [gap, scale, basis] = [Math.abs(norms[1] - norms[0]), Math.max(...norms), "norm"];
  } else return null;
  return { abs: gap, rel: scale > 0 ? gap / scale : 0, basis, before_norm: norms[0], after_norm: norms[1] };
}

const sameShape = (p, q) => p.length === q.length && p.every((n, k) => n === q[k]);

function side(graph) {
  return { nodes: graph.nodes.length, loss: graph.outputs?.loss ?? null };
}

function norm(data) {
  const value = data.stats?.norm === undefined || data.stats.norm === null ? NaN : toNumber(data.stats.norm);
  return Number.isFinite(value) ? value : null;
}

// All of a tensor's values in row-major order; null when it was sent truncated.
function flat(data) {
  if (data.values === undefined || data.values === null || data.truncated) return null;
  return [data.values].flat(Infinity).map(toNumber);
}

// ---- for the page: what the graph paints

export const SAME = "#d1d5db"; // a node whose numbers did not change
const LOW = [254, 240, 138]; // a small relative difference (yellow)
const HIGH = [220, 38, 38]; // the largest (red)
export const SCALE_TICKS = [1e-4, 1e-3, 1e-2, 0.1, 1]; // the colour scale's marks, log-spaced

/** The fill of a relative difference: grey when 0, then yellow (1e-4 and below) to red (1 and above), log scale. */
export function diffColour(rel) {
  if (rel === 0) return SAME;
  const t = Math.max(0, Math.min(1, (Math.log10(rel) + 4) / 4));
  return `rgb(${LOW.map((c, i) => Math.round(c + t * (HIGH[i] - c))).join(", ")})`;
}

const SHRUNK = [37, 99, 235]; // B's gradient smaller than A's (blue)
const WHITE = [248, 250, 252];
export const RATIO_TICKS = [0.01, 0.1, 1, 10, 100]; // B's gradient norm over A's

/** The fill of a gradient that changed size: white when B's norm equals A's, blue when smaller, red when larger, full
 * at a factor of 100 (log scale); grey when either norm is missing or zero. */
export function ratioColour(delta) {
  const [a, b] = [delta.before_norm, delta.after_norm];
  if (!(a > 0 && b > 0)) return SAME;
  const t = Math.max(-1, Math.min(1, Math.log10(b / a) / 2));
  const end = t < 0 ? SHRUNK : HIGH;
  return `rgb(${WHITE.map((c, i) => Math.round(c + Math.abs(t) * (end[i] - c))).join(", ")})`;
}

/** What one shown run's nodes get painted with, for side "a" (the run before) or "b" and a colouring (`field`):
 * "grad" or "data" (relative difference), "ratio" (gradient norm B / A). Node id → {match, delta, colour}, and the
 * ids only this run has (added in B, or removed: only in A). */
export function sideMarks(diff, side, field) {
  const own = side === "a" ? "before" : "after";
  const ratio = field === "ratio";
  const marks = new Map(diff.matched.map((match) => {
    const delta = match[ratio ? "grad" : field];
    const colour = delta && (ratio ? ratioColour(delta) : diffColour(delta.rel));
    return [match[own], { match, delta, colour }];
  }));
  return { side, marks, only: new Set(side === "a" ? diff.removed : diff.added) };
}

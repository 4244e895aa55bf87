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
 * (a missing one: lines are compared as they are). */
export function diffGraphs(before, after, beforeSource, afterSource) {
  const lines = beforeSource && afterSource ? alignLines(beforeSource, afterSource) : null;
  const later = new Map(positions(after.nodes, null).map(([key, node]) => [key, node]));
  const matched = [];
  const removed = [];
  const taken = new Set();
  for (const [key, node] of positions(before.nodes, lines)) {
    const twin = key === null ? undefined : later.get(key);
    if (twin === undefined) {
      removed.push(node.id);
      continue;
    }
    taken.add(twin.id);
    matched.push({
      before: node.id, after: twin.id, label: twin.label,
      data: tensorDelta(node.data, twin.data), grad: tensorDelta(node.grad, twin.grad),
    });
  }
  const order = new Map(after.nodes.map((node, k) => [node.id, k]));
  matched.sort((p, q) => order.get(p.after) - order.get(q.after));
  return {
    matched,
    added: after.nodes.filter((node) => !taken.has(node.id)).map((node) => node.id),
    removed,
    before: side(before),
    after: side(after),
  };
}

// Each node with its position key (null: its line is gone in the other program).
function positions(nodes, lines) {
  const seen = new Map();
  return nodes.map((node) => {
    let line = node.span ? node.span.line : 0;
    const col = node.span ? node.span.col : -1;
    if (lines !== null && line > 0) {
      if (!lines.has(line)) return [null, node];
      line = lines.get(line);
    }
    const place = JSON.stringify([line, col, node.label]);
    const k = (seen.get(place) ?? -1) + 1;
    seen.set(place, k);
    return [`${k}:${place}`, node];
  });
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

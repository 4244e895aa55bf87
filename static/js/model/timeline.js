// Pure timeline: the animation steps of a run, what the graph shows at each position, one sentence per step.

import { formatChange, formatGradShort, formatNumber, formatTensorShort, scalarOf, toNumber } from "./number.js";
import { inputsOf, nameOf } from "./graph.js";
import { chainRule } from "./rules.js";
import { t } from "../i18n.js";

const LEAF_KINDS = new Set(["input", "param", "const"]);

/** The steps to animate, from the server's timeline (or forward → backward → optimizer when it is empty). */
export function buildSteps(graph) {
  const entries = graph.timeline?.length ? graph.timeline : defaultEntries(graph);
  const steps = entries.map((entry) => toStep(graph, entry));
  markFinalAccumulations(steps);
  markLastGradients(steps);
  return steps;
}

// A node's last backward step receives the gradient the graph holds in full (with its heatmap): show that one.
function markLastGradients(steps) {
  const seen = new Set();
  for (let i = steps.length - 1; i >= 0; i -= 1) {
    const event = steps[i].event;
    if (steps[i].phase !== "backward" || event.accumulates || seen.has(event.node)) continue;
    seen.add(event.node);
    steps[i].lastGrad = true;
  }
}

// A leaf's last AccumulateGrad leaves its final .grad, which the graph holds exactly (tensors included).
function markFinalAccumulations(steps) {
  const seen = new Set();
  for (let i = steps.length - 1; i >= 0; i -= 1) {
    const leaf = steps[i].event?.accumulates;
    if (!leaf || seen.has(leaf)) continue;
    seen.add(leaf);
    steps[i].final = true;
  }
}

function defaultEntries(graph) {
  return [
    ...graph.forward.map((_, index) => ({ phase: "forward", index, pass_index: 0 })),
    ...graph.backward.map((event, index) => ({ phase: "backward", index, pass_index: event.pass_index })),
    ...graph.optimizer.map((_, index) => ({ phase: "step", index, pass_index: 0 })),
  ];
}

function toStep(graph, entry) {
  const { phase, index } = entry;
  if (phase === "forward") return { phase, index, node: graph.forward[index] };
  if (phase === "backward") return { phase, index, event: graph.backward[index], node: graph.backward[index].node };
  if (phase === "step") return { phase, index, event: graph.optimizer[index] };
  return { phase, index };
}

/** What the graph shows after the first `position` steps: values, grads, edge contributions, the active step. */
export function stateAt(index, steps, position) {
  const state = emptyState(index, steps);
  const end = Math.max(0, Math.min(position, steps.length));
  for (let i = 0; i < end; i += 1) applyStep(index, state, steps[i], i === end - 1);
  state.current = end > 0 ? steps[end - 1] : null;
  state.phase = state.current ? state.current.phase : "start";
  return state;
}

function emptyState(index, steps) {
  const values = new Map();
  const inForward = new Set(steps.filter((s) => s.phase === "forward").map((s) => s.node));
  for (const node of index.nodes.values()) {
    if (!inForward.has(node.id) && node.data) values.set(node.id, node.data);
  }
  const accumulates = steps.some((s) => s.event?.accumulates);
  return { values, grads: new Map(), edgeGrads: new Map(), active: new Set(), pulse: new Map(), accumulates };
}

function applyStep(index, state, step, isCurrent) {
  if (step.phase === "forward") applyForward(index, state, step, isCurrent);
  else if (step.phase === "backward") applyBackward(index, state, step, isCurrent);
  else if (step.phase === "step") applyOptimizer(state, step.event, isCurrent);
  else state.grads.clear();
}

function applyForward(index, state, step, isCurrent) {
  const node = index.nodes.get(step.node);
  if (node?.data) state.values.set(step.node, node.data);
  if (!isCurrent) return;
  state.active.add(step.node);
  for (const edge of index.inEdges.get(step.node) ?? []) state.pulse.set(edge.id, "forward");
}

function applyBackward(index, state, step, isCurrent) {
  const { event } = step;
  const arriving = event.grad_outputs?.[0] ?? index.nodes.get(event.node)?.grad ?? null;
  const held = step.lastGrad ? index.nodes.get(event.node)?.grad : null;
  if (arriving && !event.accumulates) state.grads.set(event.node, held ?? arriving);
  if (event.accumulates) {
    const final = step.final ? index.nodes.get(event.accumulates)?.grad : null;
    state.grads.set(event.accumulates, final ?? accumulated(state.grads.get(event.accumulates), arriving));
  }
  event.edges.forEach((edgeId, i) => {
    const grad = event.grad_inputs[i];
    if (!edgeId || !grad) return;
    state.edgeGrads.set(edgeId, grad);
    if (isCurrent) state.pulse.set(edgeId, "backward");
    if (!state.accumulates) reachLeaf(index, state, edgeId, grad);
  });
  if (isCurrent) state.active.add(event.accumulates ?? event.node);
}

// .grad += arriving: exact for one-element tensors; a bigger tensor shows what arrived until its final .grad.
function accumulated(previous, arriving) {
  if (!previous || !arriving || arriving.numel !== 1) return arriving;
  const sum = toNumber(scalarOf(previous)) + toNumber(scalarOf(arriving));
  return Number.isFinite(sum) ? { ...arriving, values: sum, stats: null } : arriving;
}

// Without AccumulateGrad events a leaf shows its .grad once a contribution reaches it.
function reachLeaf(index, state, edgeId, grad) {
  const source = index.nodes.get(index.edges.get(edgeId)?.source);
  if (source && LEAF_KINDS.has(source.kind)) state.grads.set(source.id, source.grad ?? grad);
}

function applyOptimizer(state, event, isCurrent) {
  for (const update of event.params) {
    state.values.set(update.node, update.after);
    if (isCurrent) state.active.add(update.node);
  }
}

/** One sentence describing a step, in the words of backpropagation. */
export function describeStep(index, step) {
  if (!step) return t("describe.start");
  if (step.phase === "forward") return describeForward(index, step.node);
  if (step.phase === "backward") return describeBackward(index, step.event);
  if (step.phase === "step") return describeOptimizer(index, step.event);
  return t("describe.zero_grad");
}

const LEAF_WORDS = { input: "describe.input", param: "describe.param", const: "describe.const" };

function describeForward(index, nodeId) {
  const node = index.nodes.get(nodeId);
  if (LEAF_WORDS[node.kind]) return t(LEAF_WORDS[node.kind], { x: node.label, value: formatTensorShort(node.data) });
  const args = inputsOf(index, nodeId).map((e) => nameOf(index, e.source)).join(", ");
  const fn = node.fn ?? node.op ?? node.kind;
  return t("describe.forward", { x: node.label, fn, args, value: formatTensorShort(node.data) });
}

const d = (name) => `dL/d${name}`;

function describeBackward(index, event) {
  if (event.accumulates) return describeAccumulate(index, event);
  const out = nameOf(index, event.node);
  const upstream = event.grad_outputs?.[0];
  const inputs = inputsOf(index, event.node).map((e) => nameOf(index, e.source));
  const parts = event.edges.map((edgeId, i) => {
    const grad = event.grad_inputs[i];
    if (!edgeId || !grad) return null;
    const source = nameOf(index, index.edges.get(edgeId)?.source);
    const rule = chainRule(event.op, index.edges.get(edgeId)?.input_index ?? i, inputs, out);
    return `${d(source)}${rule ? ` = ${rule}` : ""}${withNumbers(upstream, grad)} = ${formatGradShort(grad)}`;
  });
  const sent = parts.filter(Boolean);
  const prefix = `${event.op}: ${fanIn(index, event.node, event.grad_outputs?.[0])}`;
  if (!sent.length) return `${prefix}${t("describe.stops", { x: out })}`;
  return `${prefix}${sent.join("; ")}`;
}

// For scalars, the numbers behind the formula: upstream gradient · local derivative (their quotient).
function withNumbers(upstream, grad) {
  const up = toNumber(scalarOf(upstream));
  const down = toNumber(scalarOf(grad));
  if (!Number.isFinite(up) || !Number.isFinite(down) || up === 0 || scalarOf(grad) === null) return "";
  return ` = ${formatNumber(up)} · ${formatNumber(down / up)}`;
}

// A value used more than once receives one contribution per use; the engine sums them before using it.
function fanIn(index, nodeId, total) {
  const parts = (index.outEdges.get(nodeId) ?? []).map((e) => e.grad).filter(Boolean);
  if (parts.length < 2) return "";
  return `${d(nameOf(index, nodeId))} = ${parts.map(formatGradShort).join(" + ")} = ${formatGradShort(total)}; `;
}

function describeAccumulate(index, event) {
  const leaf = event.accumulates;
  const name = nameOf(index, leaf);
  const grad = event.grad_outputs?.[0] ?? index.nodes.get(leaf)?.grad;
  return `AccumulateGrad: ${fanIn(index, leaf, grad)}${name}.grad += ${d(name)} = ${formatGradShort(grad)}`;
}

function describeOptimizer(index, event) {
  const lr = event.lr === null || event.lr === undefined ? "" : ` (lr ${formatNumber(event.lr)})`;
  const changes = event.params.slice(0, 3).map((p) => {
    const [before, after] = formatChange(p.before, p.after);
    return `${nameOf(index, p.node)}: ${before} → ${after}`;
  });
  const more = event.params.length > 3 ? `, ${t("describe.more", { count: String(event.params.length - 3) })}` : "";
  return `${t("describe.step", { optimizer: event.optimizer })}${lr}: p ← p − lr·dL/dp; ${changes.join(", ")}${more}`;
}

/** The phase a position belongs to, for the forward → backward → optimizer step indicator. */
export function phaseOf(step) {
  if (!step) return "start";
  return step.phase === "zero_grad" ? "step" : step.phase;
}

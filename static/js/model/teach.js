// Pure teaching logic: formula cards, quiz questions and answers, loss-curve geometry, health colours, training states.

import { formatNumber, scalarOf, toNumber } from "./number.js";
import { nameOf } from "./graph.js";
import { lineKey, renderCard } from "./cards.js";
import { cardText, t } from "../i18n.js";


/**
 * The card for the step at this position: a title and lines {text, kind} (local, chain, fan-out, update, note).
 * With a `catalogue` (static/i18n/<language>.json) the lines are the server's cards in that language; without
 * one, the server's English text.
 */
export function cardFor(index, step, catalogue = null) {
  if (!step || step.phase === "forward") return { title: t("card.label"), lines: [line(t("card.before"), "note")] };
  if (step.phase === "backward") return backwardCard(index, step.event, catalogue);
  if (step.phase === "step") return optimizerCard(index, step.event, catalogue);
  return { title: "zero_grad", lines: [line(t("card.zero_grad"), "note")] };
}

/** The chain rule of a whole call (a collapsed call group) at the event where its output's gradient arrived. */
export function callCardFor(index, event, catalogue) {
  const lines = (event.call_cards ?? []).map((card) => line(renderCard(card, catalogue, formatNumber), "chain"));
  return lines.length ? { title: nameOf(index, event.node), lines } : null;
}

const line = (text, kind) => ({ text, kind });

function backwardCard(index, event, catalogue) {
  const title = t("card.at", { op: event.op, x: nameOf(index, event.accumulates ?? event.node) });
  const lines = catalogue && event.cards ? event.cards.map((card) => cardLine(card, catalogue)) : englishLines(event);
  return { title, lines: lines.length ? lines : [line(t("card.none"), "note")] };
}

function cardLine(card, catalogue) {
  const key = lineKey(card);
  const kind = key.startsWith("local.") ? "local" : key.startsWith("fanout.") ? "fan-out" : "chain";
  return line(renderCard(card, catalogue, formatNumber), kind);
}

// The server's English: the step's lines joined with "; " (a fan-out sum says "(x is used N times)").
function englishLines(event) {
  const lines = event.formula ? event.formula.split("; ") : [];
  const locals = new Set((event.local_formulas ?? []).filter(Boolean));
  return lines.map((text) => line(text, locals.has(text) ? "local" : / is used \d+ times\)$/.test(text) ? "fan-out" : "chain"));
}

function optimizerCard(index, event, catalogue) {
  const lines = event.params.map((update) => {
    const name = nameOf(index, update.node);
    // before and after get the digits it takes to tell them apart (0.2024 → 0.20245 shows the change)
    const against = [scalarOf(update.before), scalarOf(update.after)].filter((v) => v !== null);
    const format = (value) => formatNumber(value, { against });
    const text = catalogue && update.card ? renderCard(update.card, catalogue, format) : update.formula;
    return line(`${name}: ${text || t("card.updated", { optimizer: event.optimizer })}`, "update");
  });
  return { title: t("describe.step", { optimizer: event.optimizer }), lines };
}

/** The card while the training slider shows step `i` (0-based) of a training run. */
export function trainingCard(training, i) {
  const step = training.steps[i];
  const lines = [line(t("card.training.loss", { loss: step.loss, point: String(i + 1) }), "chain"),
    line(t("card.training.note"), "note")];
  const title = t("card.training.title", { optimizer: training.optimizer, step: String(i + 1),
    steps: String(training.loss.length) });
  return { title, lines };
}

/** The quiz question for a backward step: the first one-element gradient it sends, or null. */
export function quizFor(index, step) {
  if (step?.phase !== "backward" || step.event.accumulates) return null;
  const { edges, grad_inputs: sent } = step.event;
  for (let i = 0; i < edges.length; i += 1) {
    const answer = sent[i]?.numel === 1 ? toNumber(scalarOf(sent[i])) : NaN;
    if (!edges[i] || !Number.isFinite(answer)) continue;
    const source = dname(nameOf(index, index.edges.get(edges[i])?.source));
    return { prompt: t("quiz.prompt", { x: source, op: step.event.op }), answer };
  }
  return null;
}

// A name as derivative notation writes it (app/teach/cards.py dname): `w`, `fc1.weight`, but `(x * w)`.
const dname = (name) => (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `(${name})`);

/** Parse a typed number ("−0.0817", "-8.2e-2") and compare it with the answer (1e-3 relative or 5e-4 absolute). */
export function checkAnswer(text, answer) {
  const cleaned = String(text).trim().replaceAll("−", "-").replaceAll(",", ".");
  const typed = cleaned === "" ? NaN : Number(cleaned);
  if (!Number.isFinite(typed)) return { valid: false, ok: false, typed };
  const error = Math.abs(typed - answer);
  return { valid: true, ok: error <= 5e-4 || error <= 1e-3 * Math.abs(answer), typed };
}

/** Loss-curve geometry: polyline points inside a width × height box (with margins), and the axis extents. */
export function lossCurve(losses, width, height, margin = 30) {
  const ys = losses.map((v) => toNumber(v));
  const finite = ys.filter(Number.isFinite);
  const low = finite.length ? Math.min(...finite) : 0;
  const high = finite.length ? Math.max(...finite) : 1;
  const span = high - low || 1;
  const dx = (width - 2 * margin) / Math.max(1, ys.length - 1);
  const point = (y, i) => {
    const clamped = Number.isFinite(y) ? y : high;
    return `${round(margin + i * dx)},${round(height - margin - ((clamped - low) / span) * (height - 2 * margin))}`;
  };
  return { points: ys.map(point), low, high, steps: ys.length };
}

const round = (v) => Math.round(v * 10) / 10;

const COLD = [37, 99, 235]; // small gradients
const HOT = [220, 38, 38]; // large gradients

/** The colour of log10 |grad| on a scale from `low` to `high` (special colours for NaN, Inf and exact zero). */
export function healthColour(log10, low = -8, high = 3) {
  const v = toNumber(log10);
  if (Number.isNaN(v)) return "#a21caf";
  if (v === Infinity) return "#7f1d1d";
  if (v === -Infinity) return "#9ca3af";
  const t = Math.max(0, Math.min(1, (v - low) / (high - low)));
  const mix = COLD.map((c, i) => Math.round(c + t * (HOT[i] - c)));
  return `rgb(${mix.join(", ")})`;
}

/** A graph state (as stateAt makes) that shows one training step's snapshot of values and gradients. */
export function trainingState(index, trainStep) {
  const values = new Map();
  for (const node of index.nodes.values()) if (node.data) values.set(node.id, node.data);
  for (const [id, data] of Object.entries(trainStep.data ?? {})) values.set(id, data);
  const grads = new Map(Object.entries(trainStep.grad ?? {}));
  return { values, grads, edgeGrads: new Map(), active: new Set(), pulse: new Map(), current: null, phase: "step" };
}

/** Gradient-check rows for the table: leaf[index], autograd, numeric, errors, ok, note. */
export function gradcheckRows(checks) {
  return checks.map((check) => ({
    element: check.index.length ? `${check.label}[${check.index.join(", ")}]` : check.label,
    cells: [check.autograd, check.numeric, check.abs_err, check.rel_err].map(formatNumber),
    ok: check.ok,
    note: check.note_card ? cardText(check.note_card) : check.note ?? "",
    node: check.node,
  }));
}

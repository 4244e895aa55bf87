// Attention, head by head: one small heatmap per head of a [B, heads, T, T] matrix (queries down, keys across),
// the cells the causal mask hides hatched, so the triangle a query cannot see shows in every head.

import { el } from "../util/dom.js";
import { toNumber } from "../model/number.js";
import { isCausal } from "../model/attention.js";
import { colourFor } from "./heatmap.js";
import { t } from "../i18n.js";

const SIDE = 96; // px of one head's square

/** A figure with one heatmap per head; `mask` (maskOf) marks the hidden cells; one colour scale for all heads. */
export function headsFigure(heads, mask, caption) {
  const all = heads.flatMap((head) => head.values.flat().map(toNumber)).filter(Number.isFinite);
  const limit = all.length ? Math.max(...all.map(Math.abs)) : 0;
  const figures = heads.map((head, i) => el("figure", { class: "head" }, headCanvas(head, mask, limit, i),
    el("figcaption", {}, t("heads.head", { i: String(i) }))));
  const key = el("p", { class: "hint heads-key" }, t("heads.key"),
    maskWords(mask),
    ` · ${t("heads.scale", { low: -limit, high: limit })}`);
  return el("div", { class: "heads", "data-heads": heads.length }, el("p", { class: "heads-title" }, caption),
    el("div", { class: "heads-grid" }, figures), key);
}

function maskWords(mask) {
  if (!mask?.some((row) => row.some(Boolean))) return "";
  return ` · ${t(isCausal(mask) ? "heads.causal" : "heads.masked")}`;
}

function headCanvas(head, mask, limit, i) {
  const cell = Math.max(2, Math.floor(SIDE / Math.max(head.rows, head.cols)));
  const canvas = el("canvas", { class: "head-map", width: head.cols * cell, height: head.rows * cell, role: "img",
    "aria-label": t("heads.map", { i: String(i), rows: String(head.rows), cols: String(head.cols) }) });
  const context = canvas.getContext("2d");
  head.values.forEach((row, r) => row.forEach((v, c) => {
    const hidden = mask?.[r]?.[c];
    context.fillStyle = hidden ? "rgb(205,205,205)" : colourFor(toNumber(v), limit);
    context.fillRect(c * cell, r * cell, cell, cell);
    if (hidden) hatch(context, c * cell, r * cell, cell);
  }));
  return canvas;
}

function hatch(context, x, y, size) {
  context.strokeStyle = "rgb(120,120,120)";
  context.lineWidth = 1;
  context.beginPath();
  context.moveTo(x, y + size);
  context.lineTo(x + size, y);
  context.stroke();
}

// A matrix as a heatmap on a <canvas>, with a diverging colour scale (blue < 0 < red) and its legend.

import { el } from "../util/dom.js";
import { formatNumber, toNumber } from "../model/number.js";
import { t } from "../i18n.js";

const CELL = 12; // px per cell, shrunk for big grids
const MAX_SIDE = 240;

/** Colour for v in [-limit, limit]: blue for negative, white at zero, red for positive; grey for NaN. */
export function colourFor(v, limit) {
  if (Number.isNaN(v)) return "rgb(128,128,128)";
  const t = limit > 0 ? Math.max(-1, Math.min(1, v / limit)) : 0;
  const fade = (c) => Math.round(255 - (255 - c) * Math.abs(t));
  return t < 0 ? `rgb(${fade(33)},${fade(102)},${fade(172)})` : `rgb(${fade(178)},${fade(24)},${fade(43)})`;
}

/** A canvas drawing of `grid` (rows of scalars) plus a scale from −limit to +limit. */
export function heatmap(grid, caption) {
  const values = grid.map((row) => row.map(toNumber));
  const finite = values.flat().filter(Number.isFinite);
  const limit = finite.length ? Math.max(...finite.map(Math.abs)) : 0;
  const rows = values.length;
  const cols = values[0]?.length ?? 0;
  const cell = Math.max(1, Math.min(CELL, Math.floor(MAX_SIDE / Math.max(rows, cols, 1))));
  const canvas = el("canvas", { width: cols * cell, height: rows * cell, class: "heatmap", role: "img",
    "aria-label": t("heatmap.label", { caption, rows: String(rows), cols: String(cols) }) });
  const context = canvas.getContext("2d");
  values.forEach((row, r) => row.forEach((v, c) => {
    context.fillStyle = colourFor(v, limit);
    context.fillRect(c * cell, r * cell, cell, cell);
  }));
  const scale = el("div", { class: "scale" },
    el("span", {}, formatNumber(-limit)), el("span", { class: "scale-bar" }), el("span", {}, formatNumber(limit)));
  return el("figure", { class: "heatmap-figure" }, canvas, scale, el("figcaption", {}, caption));
}

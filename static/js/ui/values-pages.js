// Pure paging for "Show all values": element indexes, page arithmetic, "go to index" parsing, CSV. No DOM.

import { t } from "../i18n.js";

export const FETCH_SIZE = 65_536; // elements per POST /values answer (the server's maximum)
export const PAGE_SIZE = 1_024; // rows shown at once (a 65,536-row table is slow to draw); divides FETCH_SIZE

/** The multi-index of a row-major flat index: unravel(5, [2, 3]) → [1, 2]; a 0-d tensor gives []. */
export function unravel(flat, shape) {
  const index = new Array(shape.length);
  let rest = flat;
  for (let dim = shape.length - 1; dim >= 0; dim -= 1) {
    index[dim] = rest % shape[dim];
    rest = Math.floor(rest / shape[dim]);
  }
  return index;
}

/** The flat row-major index of a multi-index, or null when any part is outside the shape. */
export function ravel(index, shape) {
  if (index.length !== shape.length) return null;
  let flat = 0;
  for (let dim = 0; dim < shape.length; dim += 1) {
    if (!Number.isInteger(index[dim]) || index[dim] < 0 || index[dim] >= shape[dim]) return null;
    flat = flat * shape[dim] + index[dim];
  }
  return flat;
}

/** "[i, j]" for a flat index of a tensor of this shape. */
export function indexLabel(flat, shape) {
  return `[${unravel(flat, shape).join(", ")}]`;
}

/** "Go to index": a flat index ("1234") or one number per dimension ("3, 17" or "[3, 17]"); or an error text. */
export function parseIndex(text, shape, numel) {
  const parts = text.trim().replace(/^\[|\]$/g, "").split(/[\s,]+/).filter(Boolean);
  if (!parts.length || !parts.every((part) => /^\d+$/.test(part))) {
    return { error: t("values.typed.invalid") };
  }
  const numbers = parts.map(Number);
  const flat = numbers.length === 1 ? numbers[0] : ravel(numbers, shape);
  if (flat === null || flat >= numel) {
    return { error: t("values.typed.missing", { typed: text.trim(), shape: shape.join(", ") }) };
  }
  return { flat };
}

/** The first element of the shown page (PAGE_SIZE rows) and of the fetched block that hold `flat`. */
export function pageAround(flat) {
  return { start: flat - (flat % PAGE_SIZE), fetchStart: flat - (flat % FETCH_SIZE) };
}

/** How far the page can move: the previous page's start or null, the next page's start or null. */
export function neighbours(start, numel) {
  return {
    previous: start > 0 ? Math.max(0, start - PAGE_SIZE) : null,
    next: start + PAGE_SIZE < numel ? start + PAGE_SIZE : null,
  };
}

/** CSV of one page: a column per dimension, then the value exactly as the server sent it. */
export function pageCsv(values, start, shape) {
  const header = [...shape.map((_, dim) => `i${dim}`), "flat_index", "value"].join(",");
  const rows = values.map((value, i) => [...unravel(start + i, shape), start + i, String(value)].join(","));
  return `${[header, ...rows].join("\n")}\n`;
}

// Pure number formatting, the one place the page turns numbers into text: decode the server's JSON-safe scalars,
// write them in one style (significant digits, e-notation, "−"), short texts for tensors.

const SPECIAL = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/** Decode one JSON scalar: "NaN"/"Infinity"/"-Infinity" → number; big-int strings → BigInt; others as is. */
export function decodeScalar(value) {
  if (typeof value !== "string") return value;
  if (value in SPECIAL) return SPECIAL[value];
  if (/^-?\d+$/.test(value)) return BigInt(value);
  return value;
}

/** Format one number the way the page writes every number: `digits` significant digits (4), e-notation with a
 * plain exponent outside [1e−3, 1e5) ("2.754e4", "1.234e−4"), the true minus sign "−", NaN and ±Infinity by name,
 * True/False for booleans. Context:
 *   against: numbers shown next to this one (an update's before and after): it gets as many digits as it takes for
 *     each of them that differs from `value` to read differently (0.2024 against 0.20244 → "0.20240").
 *   exact: every digit needed to read the number back (the "all values" table), in the same style. */
export function formatNumber(value, { digits = DIGITS, against = [], exact = false } = {}) {
  const v = decodeScalar(value);
  if (typeof v === "bigint") return v.toString().replace("-", MINUS);
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v !== "number") return String(v);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : `${MINUS}Infinity`;
  if (exact) return written(v, null, false);
  const needed = digitsToTell(v, against.map(toNumber), digits);
  return written(v, needed, needed > digits);
}

const DIGITS = 4;
const MAX_DIGITS = 17; // enough to tell any two doubles apart
const MINUS = "\u2212";

// The fewest digits (at least `digits`) at which `v` reads differently from every different number in `others`.
function digitsToTell(v, others, digits) {
  let needed = digits;
  for (const other of others) {
    if (!Number.isFinite(other) || other === v) continue;
    while (needed < MAX_DIGITS && written(v, needed, true) === written(other, needed, true)) needed += 1;
  }
  return needed;
}

// `digits` significant digits (null: the shortest text that reads back as v); `keepZeros` keeps trailing zeros,
// so that numbers shown side by side at a raised precision line up (0.20240 next to 0.20244).
function written(v, digits, keepZeros) {
  if (v === 0 && !keepZeros) return "0";
  const rounded = digits === null || Number.isInteger(v) ? v : Number(v.toPrecision(digits)); // 99999.7 → 1e5
  const magnitude = Math.abs(rounded);
  const scientific = magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3);
  let text;
  if (scientific) {
    const [mantissa, exponent] = (digits === null ? v.toExponential() : v.toExponential(digits - 1)).split("e");
    text = `${keepZeros ? mantissa : trimZeros(mantissa)}e${exponent.replace("+", "")}`;
  } else if (digits === null) {
    text = String(v);
  } else {
    const precise = v.toPrecision(digits); // "2.754e+4" for 27540.3: written out instead, as 27540
    text = Number.isInteger(v) && !keepZeros ? String(v) : precise.includes("e") ? String(rounded) : precise;
    if (!keepZeros) text = trimZeros(text);
  }
  return text.replaceAll("-", MINUS);
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** A parameter's value before and after an update, each written against the other so that a change shows. */
export function formatChange(before, after) {
  const [a, b] = [scalarOf(before), scalarOf(after)];
  if (a === null || b === null) return [formatTensorShort(before), formatTensorShort(after)];
  return [formatNumber(a, { against: [b] }), formatNumber(b, { against: [a] })];
}

/** The single number a tensor stands for, when it has exactly one element; else null. */
export function scalarOf(tensor) {
  if (!tensor || tensor.numel !== 1) return null;
  let v = tensor.values ?? tensor.preview?.[0] ?? null;
  while (Array.isArray(v)) v = v[0];
  return v;
}

const SUMMARY = { mean: "μ", norm: "‖·‖" };
const shortTexts = { mean: new WeakMap(), norm: new WeakMap() }; // the animation asks for the same tensors

/** A short text for a value: its number when it has one element, else "[2×3] μ=0.5". */
export function formatTensorShort(tensor) {
  return cachedText(tensor, "mean");
}

/** A short text for a gradient: its number, else "[2×3] ‖·‖=0.28" (a gradient's mean is often ~0). */
export function formatGradShort(tensor) {
  return cachedText(tensor, "norm");
}

function cachedText(tensor, stat) {
  if (!tensor) return "";
  let text = shortTexts[stat].get(tensor);
  if (text === undefined) {
    text = shortText(tensor, stat);
    shortTexts[stat].set(tensor, text);
  }
  return text;
}

function shortText(tensor, stat) {
  const scalar = scalarOf(tensor);
  if (scalar !== null) return formatNumber(scalar);
  const shape = `[${tensor.shape.join("×")}]`;
  const summary = tensor.stats?.[stat];
  return summary === undefined || summary === null ? shape : `${shape} ${SUMMARY[stat]}=${formatNumber(summary)}`;
}

/** Flatten nested values into rows for a table: 0-d → [[v]], 1-d → [v...] as one row, 2-d → rows. */
export function tableRows(tensor) {
  const values = tensor?.values;
  if (values === undefined || values === null) return null;
  if (!Array.isArray(values)) return [[values]];
  if (tensor.shape.length === 1) return [values];
  if (tensor.shape.length === 2) return values;
  return null;
}

/** Decode a value to a plain number for colour scales (BigInt → Number; strings → NaN). */
export function toNumber(value) {
  const v = decodeScalar(value);
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return typeof v === "number" ? v : NaN;
}

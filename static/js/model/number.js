// Pure number formatting: decode the server's JSON-safe scalars and show them with 4 significant digits.

const SPECIAL = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/** Decode one JSON scalar: "NaN"/"Infinity"/"-Infinity" → number; big-int strings → BigInt; others as is. */
export function decodeScalar(value) {
  if (typeof value !== "string") return value;
  if (value in SPECIAL) return SPECIAL[value];
  if (/^-?\d+$/.test(value)) return BigInt(value);
  return value;
}

/** Format one scalar compactly: 4 significant digits, true minus sign, NaN and ±Infinity spelled out. */
export function formatScalar(value) {
  const v = decodeScalar(value);
  if (typeof v === "bigint") return v.toString().replace("-", "−");
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v !== "number") return String(v);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "−Infinity";
  return formatFinite(v).replaceAll("-", "−");
}

function formatFinite(v) {
  if (v === 0) return "0";
  const magnitude = Math.abs(v);
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    const [mantissa, exponent] = v.toExponential(3).split("e");
    return `${trimZeros(mantissa)}e${exponent.replace("+", "")}`;
  }
  if (Number.isInteger(v)) return String(v);
  return trimZeros(v.toPrecision(4));
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
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
  if (scalar !== null) return formatScalar(scalar);
  const shape = `[${tensor.shape.join("×")}]`;
  const summary = tensor.stats?.[stat];
  return summary === undefined || summary === null ? shape : `${shape} ${SUMMARY[stat]}=${formatScalar(summary)}`;
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

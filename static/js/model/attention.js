// Pure: reading an attention matrix's per-head grids (TensorData.heads) — which cells the causal mask hides.

import { toNumber } from "./number.js";

/** Cells masked in every head: exactly 0 in each head's value grid (a softmax gives 0 only where its score was −∞,
 * so a causal mask's upper triangle); null without grids. */
export function maskOf(valueHeads) {
  if (!valueHeads?.length) return null;
  const [first] = valueHeads;
  return first.values.map((row, r) => row.map((_, c) => valueHeads.every((h) => toNumber(h.values[r][c]) === 0)));
}

/** Whether a mask hides exactly the keys after each query (the cells right of the diagonal): causal attention. */
export function isCausal(mask) {
  if (!mask?.length) return false;
  return mask.every((row, r) => row.every((hidden, c) => hidden === c > r));
}

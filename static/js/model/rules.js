// Pure: how each autograd op forms dL/d(input) from dL/d(output) — the chain rule in words, per op.

import { t } from "../i18n.js";

const d = (name) => `dL/d${name}`;

// (input position, input names, output name) → the right-hand side of dL/d(input) = …
const RULES = {
  Sigmoid: (i, x, out) => `${d(out)} · σ(${x[0]})(1−σ(${x[0]}))`,
  Tanh: (i, x, out) => `${d(out)} · (1−tanh²(${x[0]}))`,
  Relu: (i, x, out) => `${d(out)} · [${x[0]} > 0]`,
  Gelu: (i, x, out) => `${d(out)} · GELU′(${x[0]})`,
  Exp: (i, x, out) => `${d(out)} · exp(${x[0]})`,
  Log: (i, x, out) => `${d(out)} · 1/${x[0]}`,
  Neg: (i, x, out) => `−${d(out)}`,
  Add: (i, x, out) => d(out),
  Sub: (i, x, out) => (i === 0 ? d(out) : `−${d(out)}`),
  Mul: (i, x, out) => `${d(out)} · ${x[1 - i] ?? t("rule.other")}`,
  Div: (i, x, out) => (i === 0 ? `${d(out)} / ${x[1]}` : `−${d(out)} · ${x[0]}/${x[1]}²`),
  Pow: (i, x, out) => `${d(out)} · n·${x[0]}^(n−1)`,
  Sum: (i, x, out) => t("rule.sum", { g: d(out) }),
  Mean: (i, x, out) => `${d(out)} / N`,
  Mm: (i, x, out) => (i === 0 ? `${d(out)} · ${x[1]}ᵀ` : `${x[0]}ᵀ · ${d(out)}`),
  Addmm: (i, x, out) => [t("rule.rows", { g: d(out) }), `${d(out)} · ${x[2]}ᵀ`, `${x[1]}ᵀ · ${d(out)}`][i],
  T: (i, x, out) => `${d(out)}ᵀ`,
  View: (i, x, out) => t("rule.reshape", { g: d(out) }),
  UnsafeView: (i, x, out) => t("rule.reshape", { g: d(out) }),
  Transpose: (i, x, out) => t("rule.transpose", { g: d(out) }),
  Permute: (i, x, out) => t("rule.permute", { g: d(out) }),
  Clone: (i, x, out) => d(out),
  Expand: (i, x, out) => t("rule.expand", { g: d(out) }),
  Softmax: (i, x, out) => `${out} ⊙ (${d(out)} − Σ ${d(out)} ⊙ ${out})`,
  LogSoftmax: (i, x, out) => `${d(out)} − softmax(${x[0]}) · Σ ${d(out)}`,
  NllLoss: (i, x, out) => t("rule.nll", { g: d(out) }),
  MseLoss: (i, x, out) => `${d(out)} · 2(${x[0]}−${x[1]})/N`,
  BinaryCrossEntropy: (i, x, out) => `${d(out)} · (${x[0]}−${x[1]})/(${x[0]}(1−${x[0]}))`,
};

/** The chain-rule formula for input `position` of `op` ("SigmoidBackward0"), or null when none is known. */
export function chainRule(op, position, inputs, out) {
  const rule = RULES[op.replace(/Backward\d*$/, "")];
  return rule ? rule(position, inputs, out) ?? null : null;
}

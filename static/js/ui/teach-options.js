// Teaching options: gradient check, "train N steps" (steps, SGD|Adam, lr), quiz mode and the gradient-health overlay.

import { el, emit } from "../util/dom.js";
import { t } from "../i18n.js";

const DEFAULT_TRAIN = { steps: 50, optimizer: "SGD", lr: 0.1 };

export class TeachOptions extends EventTarget {
  constructor() {
    super();
    this.gradcheck = checkbox(t("options.gradcheck"), t("options.gradcheck.title"));
    this.train = checkbox(t("options.train"), t("options.train.title"));
    this.steps = el("input", { type: "number", min: 1, max: 200, step: 1, value: DEFAULT_TRAIN.steps,
      "aria-label": t("options.steps"), title: t("options.steps.title"), class: "train-steps" });
    this.optimizer = el("select", { "aria-label": t("options.optimizer"), title: t("options.optimizer") },
      el("option", { value: "SGD" }, "SGD"), el("option", { value: "Adam" }, "Adam"));
    this.lr = el("input", { type: "number", min: 0.0001, max: 10, step: "any", value: DEFAULT_TRAIN.lr,
      "aria-label": t("options.lr"), title: t("options.lr"), class: "train-lr" });
    this.quiz = checkbox(t("options.quiz"), t("options.quiz.title"));
    this.health = checkbox(t("options.health"), t("options.health.title"));
    this.health.input.addEventListener("change", () => emit(this, "health", this.health.input.checked));
    this.container = el("div", { class: "teach-options", role: "group", "aria-label": t("options.label") },
      this.gradcheck.label, this.train.label, this.steps, this.optimizer, this.lr, this.quiz.label, this.health.label);
  }

  /** The request options these controls add: {gradcheck, train}. */
  get options() {
    const train = this.train.input.checked ? {
      steps: clampInt(this.steps.value, 1, 200), optimizer: this.optimizer.value, lr: Number(this.lr.value) || 0.1,
    } : null;
    return { gradcheck: this.gradcheck.input.checked, train };
  }

  /** Set the controls from an example's (or a link's) options; missing ones switch off. */
  set options({ gradcheck = false, train = null } = {}) {
    this.gradcheck.input.checked = Boolean(gradcheck);
    this.train.input.checked = Boolean(train);
    const chosen = { ...DEFAULT_TRAIN, ...(train ?? {}) };
    this.steps.value = String(chosen.steps);
    this.optimizer.value = chosen.optimizer;
    this.lr.value = String(chosen.lr);
  }

  get quizOn() {
    return this.quiz.input.checked;
  }

  get healthOn() {
    return this.health.input.checked;
  }
}

function checkbox(text, title) {
  const input = el("input", { type: "checkbox" });
  return { input, label: el("label", { class: "check", title }, input, ` ${text}`) };
}

function clampInt(text, low, high) {
  const value = Math.round(Number(text));
  return Number.isFinite(value) ? Math.max(low, Math.min(high, value)) : low;
}

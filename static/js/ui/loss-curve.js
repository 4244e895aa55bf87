// Training: the loss curve (one point per step) and a step slider that shows the graph at any step.

import { el, emit, setText, svg } from "../util/dom.js";
import { formatNumber } from "../model/number.js";
import { lossCurve } from "../model/teach.js";
import { cardText, t } from "../i18n.js";

const WIDTH = 280;
const HEIGHT = 150;
const MARGIN = 42;

export class LossCurve extends EventTarget {
  constructor() {
    super();
    this.chart = svg("svg", { class: "loss-curve", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img",
      "aria-label": t("training.curve") });
    this.slider = el("input", { type: "range", min: 0, max: 0, value: 0, "aria-label": t("training.step") });
    this.slider.addEventListener("input", () => this.#pick(Number(this.slider.value)));
    this.readout = el("span", { class: "train-readout" });
    this.note = el("p", { class: "hint" });
    this.container = el("section", { class: "training", "aria-label": t("training.label") },
      el("h3", {}, t("training.heading")), this.chart, el("div", { class: "train-slider" }, this.slider, this.readout), this.note);
    this.container.hidden = true;
    this.training = null;
  }

  /** Draw a run's training (GraphResponse.training), or hide when there is none. */
  show(training) {
    this.training = training;
    this.container.hidden = !training;
    if (!training) return;
    const curve = lossCurve(training.loss, WIDTH, HEIGHT, MARGIN);
    this.chart.replaceChildren(...axes(curve), svg("polyline", { class: "loss-line", points: curve.points.join(" ") }));
    this.chart.dataset.points = String(curve.points.length);
    this.slider.max = String(Math.max(0, training.steps.length - 1));
    this.slider.value = "0";
    this.slider.disabled = training.steps.length === 0;
    setText(this.note, training.note_card ? cardText(training.note_card)
      : training.note ?? t("training.about", { optimizer: training.optimizer, lr: training.lr }));
    this.#say(0);
  }

  #pick(i) {
    this.#say(i);
    emit(this, "step", i);
  }

  #say(i) {
    const loss = this.training.steps[i]?.loss ?? this.training.loss[i];
    setText(this.readout, t("training.readout", { step: String(i + 1), steps: String(this.training.loss.length), loss }));
  }
}

function axes({ low, high, steps }) {
  const bottom = HEIGHT - MARGIN;
  const text = (x, y, content, anchor = "start") => svg("text", { x, y, "text-anchor": anchor }, content);
  return [
    svg("path", { class: "axis", d: `M${MARGIN},${MARGIN / 2}V${bottom}H${WIDTH - MARGIN / 2}` }),
    text(MARGIN - 3, MARGIN + 4, formatNumber(high), "end"),
    text(MARGIN - 3, bottom, formatNumber(low), "end"),
    text(MARGIN, bottom + 14, "1"),
    text(WIDTH - MARGIN, bottom + 14, String(steps), "end"),
    text(WIDTH / 2, HEIGHT - 3, t("training.axis.step"), "middle"),
    text(4, MARGIN / 2 + 2, t("training.axis.loss")),
  ];
}

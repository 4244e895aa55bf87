// A long loop's passes: the graph draws the first and last in full; this shows that, and every pass's loss.

import { el, setText, svg } from "../util/dom.js";
import { lossCurve } from "../model/teach.js";
import { formatNumber } from "../model/number.js";
import { t } from "../i18n.js";

const WIDTH = 280;
const HEIGHT = 120;
const MARGIN = 30;

export class PassesPanel {
  constructor() {
    this.sentence = el("p", { class: "hint passes-sentence" });
    this.chart = svg("svg", { class: "loss-curve passes-curve", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img",
      "aria-label": t("passes.curve") });
    this.container = el("section", { class: "passes", "aria-label": t("passes.label"), hidden: true },
      this.sentence, this.chart);
  }

  /** Show GraphResponse.passes (set when the recording window left passes out); hide otherwise. */
  show(passes) {
    this.container.hidden = !passes;
    if (!passes) return;
    const shown = passes.kept.map((index) => index + 1).join(", ");
    setText(this.sentence, t("passes.sentence", { total: String(passes.total), shown }));
    const losses = passes.loss.map((loss) => loss ?? NaN);
    const curve = lossCurve(losses, WIDTH, HEIGHT, MARGIN);
    const kept = passes.kept.map((index) => {
      const [x, y] = curve.points[index].split(",");
      return svg("circle", { class: "kept-pass", cx: x, cy: y, r: 3 });
    });
    const label = (x, y, text, anchor) => svg("text", { x, y, "text-anchor": anchor }, text);
    this.chart.replaceChildren(
      svg("polyline", { class: "loss-line", points: curve.points.join(" ") }),
      ...kept,
      label(MARGIN - 3, MARGIN + 4, formatNumber(curve.high), "end"),
      label(MARGIN - 3, HEIGHT - MARGIN, formatNumber(curve.low), "end"),
      label(WIDTH - MARGIN, HEIGHT - MARGIN + 14, String(passes.total), "end"),
    );
    this.chart.dataset.points = String(curve.points.length);
  }
}

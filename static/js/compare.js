// Comparing two runs (issue 20, part 1): a run kept as A, and each run after it is B. The graph shows either run
// (its own layout, so either backward pass plays), painted with each node's difference from the other run.

import { diffGraphs, sideMarks } from "./model/diff.js";
import { ComparePanel, paintDiff } from "./ui/compare.js";
import { emit } from "./util/dom.js";

export class Comparer extends EventTarget {
  /** Compare on top of the graph view; "show" is emitted with the run to draw, A or B ({graph, program, options}). */
  constructor(view) {
    super();
    this.view = view;
    this.panel = new ComparePanel();
    this.runs = { a: null, b: null }; // {graph, program, options}
    this.diff = null;
    this.side = "b";
    this.field = "grad";
    this.selected = null; // {id, label}
    const on = (name, handler) => this.panel.addEventListener(name, (event) => handler(event.detail));
    on("side", (side) => this.#showSide(side));
    on("field", (field) => {
      this.field = field;
      this.paint();
    });
    on("stop", () => this.stop());
  }

  mount() {
    document.querySelector('[data-mount="compare"]')?.append(this.panel.container);
  }

  /** Colour the graph by "grad", "data" (relative difference) or "ratio" (gradient norm B / A). */
  colourBy(field) {
    this.field = field;
    this.panel.colourBy(field);
    this.paint();
  }

  /** Keep this run as A: the next runs are compared with it. */
  keep(graph, program, options) {
    this.runs = { a: { graph, program, options }, b: null };
    this.diff = null;
    this.panel.show(null);
    this.paint();
  }

  /** A new run was shown: while A is kept, it is B, compared with A. */
  update(graph, program, options) {
    if (!this.runs.a) return;
    this.runs.b = { graph, program, options };
    this.side = "b";
    this.diff = diffGraphs(this.runs.a.graph, graph, this.runs.a.program, program);
    this.panel.show(this.diff, this.side);
    this.paint();
  }

  /** The run kept as A ({program, options}) for a link that reproduces the comparison; null when not comparing. */
  get before() {
    const kept = this.runs.a;
    return kept ? { program: kept.program, options: kept.options } : null;
  }

  stop() {
    const showing = this.side === "a" && this.runs.b;
    this.runs = { a: null, b: null };
    this.diff = null;
    this.panel.show(null);
    this.paint();
    if (showing) emit(this, "show", showing); // the graph goes back to the latest run
  }

  /** Paint the shown run's nodes again (after the view drew more of them). */
  paint() {
    paintDiff(this.view.svg, this.diff && sideMarks(this.diff, this.side, this.field));
    if (this.selected) this.select(this.selected.id, this.selected.label);
  }

  /** A node was selected: the panel says how it differs. */
  select(id, label) {
    this.selected = { id, label };
    if (this.diff) this.panel.showNode(label, sideMarks(this.diff, this.side, this.field).marks.get(id) ?? null);
  }

  #showSide(side) {
    const run = this.runs[side];
    if (!run || !this.diff || side === this.side) return;
    this.side = side;
    this.selected = null;
    this.panel.show(this.diff, side);
    emit(this, "show", run);
    this.paint();
  }
}

// The teaching layer of the page (issue #7): formula cards, quiz, training, gradient check and health, wired as one.

import { callCardFor, cardFor, quizFor, trainingCard, trainingState } from "./model/teach.js";
import { FormulaCard } from "./ui/formula-card.js";
import { GradcheckTable } from "./ui/gradcheck.js";
import { HealthPanel, paintHealth } from "./ui/health.js";
import { LossCurve } from "./ui/loss-curve.js";
import { Quiz } from "./ui/quiz.js";
import { TeachOptions } from "./ui/teach-options.js";
import { emit } from "./util/dom.js";
import { catalogue } from "./i18n.js";

export class Teacher extends EventTarget {
  /** Teach on top of the graph view and the player; "select" is emitted with a node id (a health flag's). */
  constructor(view, player) {
    super();
    this.view = view;
    this.player = player;
    this.parts = {
      "teach-options": new TeachOptions(), card: new FormulaCard(), quiz: new Quiz(), training: new LossCurve(),
      gradcheck: new GradcheckTable(), health: new HealthPanel(),
    };
    this.run = { index: null, steps: [], answered: new Set() };
    this.catalogue = catalogue; // the page language's: cards in the page's words and number format
    player.hold = (next) => this.#holdBefore(next);
    this.#wire();
  }

  /** Put each part into its [data-mount] slot of the page. */
  mount() {
    for (const [name, part] of Object.entries(this.parts)) {
      document.querySelector(`[data-mount="${name}"]`)?.append(part.container);
    }
  }

  /** The request options the teaching controls add ({gradcheck, train}). */
  get options() {
    return this.parts["teach-options"].options;
  }

  set options(options) {
    this.parts["teach-options"].options = options ?? {};
  }

  /** A new run: its gradient check, training curve and health; the card starts "before backward". */
  load(index, steps) {
    const { graph } = index;
    this.run = { index, steps, answered: new Set() };
    this.parts.quiz.hide();
    this.parts.gradcheck.show(graph.gradcheck);
    this.parts.training.show(graph.training ?? null);
    this.#showHealth();
  }

  /** The view re-drew parts of the graph (groups opened or closed): paint the health overlay again. */
  repaint() {
    this.#showHealth();
  }

  /** The animation moved: show the card of the step that is now current; where the gradient reaches a call
   * drawn closed (F.cross_entropy, nn.Linear), the chain rule of the whole call. */
  position(step) {
    if (!this.run.index) return;
    const event = step?.phase === "backward" ? step.event : null;
    const closed = event?.call && this.catalogue && this.view.hidden.has(event.node);
    const card = closed ? callCardFor(this.run.index, event, this.catalogue) : null;
    this.parts.card.show(card ?? cardFor(this.run.index, step, this.catalogue));
  }

  #wire() {
    const { quiz, training, health } = this.parts;
    quiz.addEventListener("answered", (event) => this.#resume(event.detail));
    training.addEventListener("step", (event) => this.#showTrainingStep(event.detail));
    health.addEventListener("select", (event) => emit(this, "select", event.detail));
    this.parts["teach-options"].addEventListener("health", () => this.#showHealth());
  }

  #showTrainingStep(i) {
    const { training } = this.run.index.graph;
    this.view.applyState(trainingState(this.run.index, training.steps[i]));
    this.parts.card.show(trainingCard(training, i));
  }

  #showHealth() {
    const on = this.parts["teach-options"].healthOn;
    const health = this.run.index?.graph.health ?? null;
    this.parts.health.show(health, on && Boolean(this.run.index));
    paintHealth(this.view.svg, health, on);
  }

  // Quiz mode: stop before a backward step that sends a one-element gradient, until it is answered.
  #holdBefore(next) {
    if (!this.parts["teach-options"].quizOn || this.run.answered.has(next)) return false;
    const question = quizFor(this.run.index, this.run.steps[next - 1]);
    if (!question) return false;
    this.parts.quiz.ask(question, next);
    return true;
  }

  #resume(position) {
    this.run.answered.add(position);
    this.player.seek(position);
    this.player.play();
  }
}

// Quiz mode: before a backward step plays, ask for the gradient it sends and check the typed number.

import { el, emit, setText } from "../util/dom.js";
import { formatScalar } from "../model/number.js";
import { checkAnswer } from "../model/teach.js";

export class Quiz extends EventTarget {
  constructor() {
    super();
    this.question = null;
    this.prompt = el("p", { class: "quiz-prompt" });
    this.input = el("input", { type: "text", inputmode: "decimal", "aria-label": "Your answer", class: "quiz-input" });
    this.feedback = el("p", { class: "quiz-feedback", role: "status" });
    const check = el("button", { type: "button", class: "primary", onclick: () => this.#check() }, "Check");
    const reveal = el("button", { type: "button", onclick: () => this.#reveal() }, "Show answer");
    this.input.addEventListener("keydown", (event) => event.key === "Enter" && this.#check());
    this.container = el("section", { class: "quiz", "aria-label": "Quiz" },
      this.prompt, el("div", { class: "quiz-row" }, this.input, check, reveal), this.feedback);
    this.container.hidden = true;
  }

  /** Ask `question` ({prompt, answer}); "answered" is emitted with the position once it is solved or revealed. */
  ask(question, position) {
    this.question = { ...question, position };
    setText(this.prompt, question.prompt);
    setText(this.feedback, "");
    this.feedback.dataset.result = "";
    this.input.value = "";
    this.container.hidden = false;
    this.input.focus();
  }

  hide() {
    this.question = null;
    this.container.hidden = true;
  }

  #check() {
    if (!this.question) return;
    const result = checkAnswer(this.input.value, this.question.answer);
    if (!result.valid) return this.#say("Type a number, e.g. −0.08 or 1.5e-3.", "invalid");
    if (!result.ok) return this.#say(`Not quite: ${formatScalar(result.typed)} is off. Try again.`, "wrong");
    this.#say(`Correct: ${formatScalar(this.question.answer)}.`, "right");
    this.#done();
  }

  #reveal() {
    if (!this.question) return;
    this.#say(`The answer is ${formatScalar(this.question.answer)}.`, "revealed");
    this.#done();
  }

  #say(text, result) {
    setText(this.feedback, text);
    this.feedback.dataset.result = result;
  }

  #done() {
    const { position } = this.question;
    this.question = null;
    emit(this, "answered", position);
  }
}

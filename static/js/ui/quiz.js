// Quiz mode: before a backward step plays, ask for the gradient it sends and check the typed number. The feedback
// stays until the person moves on (Continue), so that it can be read whatever the playing speed.

import { el, emit, setText } from "../util/dom.js";
import { formatNumber } from "../model/number.js";
import { checkAnswer } from "../model/teach.js";

export class Quiz extends EventTarget {
  constructor() {
    super();
    this.question = null;
    this.prompt = el("p", { class: "quiz-prompt" });
    this.input = el("input", { type: "text", inputmode: "decimal", "aria-label": "Your answer", class: "quiz-input" });
    this.feedback = el("p", { class: "quiz-feedback", role: "status" });
    this.check = el("button", { type: "button", class: "primary", onclick: () => this.#check() }, "Check");
    this.reveal = el("button", { type: "button", onclick: () => this.#reveal() }, "Show answer");
    this.next = el("button", { type: "button", class: "primary", onclick: () => this.#continue() }, "Continue");
    this.input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault(); // else this Enter would also press Continue, which takes the focus once solved
      this.#check();
    });
    this.container = el("section", { class: "quiz", "aria-label": "Quiz" },
      this.prompt, el("div", { class: "quiz-row" }, this.input, this.check, this.reveal, this.next), this.feedback);
    this.container.hidden = true;
  }

  /** Ask `question` ({prompt, answer}); "answered" is emitted with the position once it is solved or revealed and
   * the person presses Continue. */
  ask(question, position) {
    this.question = { ...question, position, solved: false };
    setText(this.prompt, question.prompt);
    this.#say("", "");
    this.input.value = "";
    this.#answering(true);
    this.container.hidden = false;
    this.input.focus();
  }

  hide() {
    this.question = null;
    this.container.hidden = true;
  }

  #answering(open) {
    this.input.disabled = !open;
    this.check.disabled = !open;
    this.reveal.disabled = !open;
    this.next.hidden = open;
  }

  #check() {
    if (!this.question || this.question.solved) return;
    const result = checkAnswer(this.input.value, this.question.answer);
    if (!result.valid) return this.#say("Type a number, e.g. −0.08 or 1.5e−3.", "invalid");
    if (!result.ok) return this.#say(`Not quite: ${formatNumber(result.typed)} is off. Try again.`, "wrong");
    this.#say(`Correct: ${formatNumber(this.question.answer)}.`, "right");
    this.#solved();
  }

  #reveal() {
    if (!this.question || this.question.solved) return;
    this.#say(`The answer is ${formatNumber(this.question.answer)}.`, "revealed");
    this.#solved();
  }

  #say(text, result) {
    setText(this.feedback, text);
    this.feedback.dataset.result = result;
  }

  #solved() {
    this.question.solved = true;
    this.#answering(false);
    this.next.focus();
  }

  #continue() {
    const { position } = this.question;
    this.hide();
    emit(this, "answered", position);
  }
}

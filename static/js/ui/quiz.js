// Quiz mode: before a backward step plays, ask for the gradient it sends and check the typed number. The feedback
// stays until the person moves on (Continue), so that it can be read whatever the playing speed.

import { el, emit, setText } from "../util/dom.js";
import { checkAnswer } from "../model/teach.js";
import { t } from "../i18n.js";

export class Quiz extends EventTarget {
  constructor() {
    super();
    this.question = null;
    this.prompt = el("p", { class: "quiz-prompt" });
    this.input = el("input", { type: "text", inputmode: "decimal", "aria-label": t("quiz.answer"), class: "quiz-input" });
    this.feedback = el("p", { class: "quiz-feedback", role: "status" });
    this.check = el("button", { type: "button", class: "primary", onclick: () => this.#check() }, t("quiz.check"));
    this.reveal = el("button", { type: "button", onclick: () => this.#reveal() }, t("quiz.reveal"));
    this.next = el("button", { type: "button", class: "primary", onclick: () => this.#continue() }, t("quiz.continue"));
    this.input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault(); // else this Enter would also press Continue, which takes the focus once solved
      this.#check();
    });
    this.container = el("section", { class: "quiz", "aria-label": t("quiz.label") },
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
    if (!result.valid) return this.#say(t("quiz.invalid"), "invalid");
    if (!result.ok) return this.#say(t("quiz.wrong", { typed: result.typed }), "wrong");
    this.#say(t("quiz.right", { answer: this.question.answer }), "right");
    this.#solved();
  }

  #reveal() {
    if (!this.question || this.question.solved) return;
    this.#say(t("quiz.revealed", { answer: this.question.answer }), "revealed");
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

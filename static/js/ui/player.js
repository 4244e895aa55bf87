// The player: Play/Pause, step, jump, scrubber, speed and the phase indicator; owns the animation loop.

import { el, emit, origin, setText, typing } from "../util/dom.js";
import { t } from "../i18n.js";

export const STEP_MS = 700; // one step at speed 1× (a recorded video's too: record.js)
const SPEEDS = [["0.25", "0.25×"], ["0.5", "0.5×"], ["1", "1×"], ["2", "2×"], ["4", "4×"], ["16", "16×"],
  ["0", t("player.every_frame")]];
const PHASES = [["forward", t("phase.forward")], ["backward", t("phase.backward")], ["step", t("phase.step")]];

export class Player extends EventTarget {
  constructor() {
    super();
    this.position = 0;
    this.length = 0;
    this.loop = 0; // id of the running animation loop; 0 when paused
    this.hold = null; // (next position) => true to pause before it, e.g. for a quiz question
    this.scrubber = el("input", { type: "range", min: 0, max: 0, value: 0, "aria-label": t("player.timeline") });
    this.scrubber.addEventListener("input", () => this.seek(Number(this.scrubber.value)));
    this.speed = el("select", { "aria-label": t("player.speed"), title: t("player.speed") },
      SPEEDS.map(([value, text]) => el("option", { value, selected: value === "1" }, text)));
    this.counter = el("span", { class: "counter" });
    this.phases = new Map(PHASES.map(([key, text]) => [key, el("li", { "data-phase": key }, text)]));
    this.sentence = el("p", { class: "sentence", "aria-live": "polite" });
    this.container = el("div", { class: "player" },
      el("div", { class: "transport" }, this.#buttons(), this.scrubber, this.counter, this.speed,
        el("ol", { class: "phases", "aria-label": t("player.phase") }, [...this.phases.values()])),
      this.sentence);
    document.addEventListener("keydown", (event) => this.#key(event));
  }

  #buttons() {
    const button = (text, title, onclick) => el("button", { type: "button", title, onclick }, text);
    return [
      button(t("player.start"), t("player.start.title"), () => this.seek(0)),
      button(t("player.back"), t("player.back.title"), () => this.seek(this.position - 1)),
      button(t("player.play"), t("player.play.title"), () => this.play()),
      button(t("player.pause"), t("player.pause.title"), () => this.pause()),
      button(t("player.step"), t("player.step.title"), () => this.seek(this.position + 1)),
      button(t("player.end"), t("player.end.title"), () => this.seek(this.length)),
    ];
  }

  /** Start over with a timeline of `length` steps. */
  load(length) {
    this.pause();
    this.length = length;
    this.scrubber.max = String(length);
    this.seek(0, true);
  }

  /** Go to a position (0 = nothing run yet, length = everything run) and announce it. */
  seek(position, force = false) {
    const next = Math.max(0, Math.min(this.length, position));
    if (next === this.position && !force) return;
    this.position = next;
    this.scrubber.value = String(next);
    setText(this.counter, `${next} / ${this.length}`);
    emit(this, "position", next);
  }

  /** Show what the current step does and which phase it belongs to. */
  describe(sentence, phase) {
    setText(this.sentence, sentence);
    for (const [key, item] of this.phases) item.classList.toggle("current", key === phase);
  }

  play() {
    if (this.loop || !this.length) return;
    if (this.position >= this.length) this.seek(0);
    const id = (this.loop = performance.now());
    let last = id;
    const tick = (now) => {
      if (this.loop !== id) return;
      const speed = Number(this.speed.value);
      if (speed === 0 || now - last >= STEP_MS / speed) {
        last = now;
        if (this.hold?.(this.position + 1)) return this.pause();
        this.seek(this.position + 1);
      }
      if (this.position >= this.length) this.pause();
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    this.container.classList.add("playing");
  }

  pause() {
    this.loop = 0;
    this.container.classList.remove("playing");
  }

  #key(event) {
    // Fields and the editor keep their keys; buttons keep Space (it presses them) but arrows still step.
    if (typing(event) || (event.key === " " && origin(event).closest?.("button, [role=button]"))) return;
    const actions = {
      " ": () => (this.loop ? this.pause() : this.play()),
      ArrowLeft: () => this.seek(this.position - 1),
      ArrowRight: () => this.seek(this.position + 1),
      Home: () => this.seek(0),
      End: () => this.seek(this.length),
    };
    const action = actions[event.key];
    if (!action || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    if (event.key !== " ") this.pause();
    action();
  }
}

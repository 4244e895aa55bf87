// The Record control (issue 20): a button that opens a modal dialog where the video's size, framing, part of the
// run and speed are chosen, with a live preview, a progress bar and Cancel. The dialog is modal, so the page
// behind it (the player, the toolbar, the graph's camera) cannot be changed while a video is recorded. Raises
// "settings" (on opening and on every change: the preview is painted again), "start" and "cancel"; knows no one.

import { el, emit, setText } from "../util/dom.js";
import { t } from "../i18n.js";
import { SPEEDS } from "../model/recording.js";

// The choices with their words (model/recording.js: SIZES and rangeOf's ranges)
const SIZE_WORDS = { "1280x720": "record.size.hd", "1920x1080": "record.size.full_hd", view: "record.size.view" };
const RANGE_WORDS = { all: "record.range.all", forward: "record.range.forward", backward: "record.range.backward",
  here: "record.range.here" };
const FRAMING_WORDS = { whole: "record.framing.whole", view: "record.framing.view" };

export class RecordDialog extends EventTarget {
  constructor() {
    super();
    this.button = el("button", { type: "button", class: "record-button", title: t("record.button.title"),
      onclick: () => this.open() }, t("record.button"));
    this.size = this.#select("size", SIZE_WORDS);
    this.framing = this.#select("framing", FRAMING_WORDS);
    this.range = this.#select("range", RANGE_WORDS);
    this.speed = el("select", { name: "record-speed" },
      SPEEDS.map((speed) => el("option", { value: String(speed) }, t("record.speed.option", { speed }))));
    this.speed.value = "1";
    this.preview = el("canvas", { class: "record-preview", width: 1280, height: 720,
      "aria-label": t("record.preview"), role: "img" });
    this.bar = el("progress", { class: "record-progress", max: 1, value: 0, "aria-label": t("record.progress.label") });
    this.message = el("p", { class: "record-message", role: "status", "aria-live": "polite" });
    this.startButton = el("button", { type: "button", class: "primary", onclick: () => this.#start() },
      t("record.start"));
    this.cancelButton = el("button", { type: "button", onclick: () => this.#cancel() }, t("record.close"));
    this.settings = el("fieldset", { class: "record-settings" },
      el("legend", {}, t("record.settings")),
      this.#field(t("record.size"), this.size), this.#field(t("record.framing"), this.framing),
      this.#field(t("record.range"), this.range), this.#field(t("record.speed"), this.speed));
    this.dialog = el("dialog", { class: "record-dialog", "aria-labelledby": "record-title" },
      el("h2", { id: "record-title" }, t("record.title")), this.settings, this.preview, this.bar, this.message,
      el("div", { class: "record-actions" }, this.startButton, this.cancelButton));
    this.dialog.addEventListener("cancel", (event) => { // Escape: cancels a recording, or closes the dialog
      event.preventDefault();
      this.#cancel();
    });
    this.dialog.addEventListener("keydown", (event) => event.stopPropagation()); // not the player's shortcuts
    this.settings.addEventListener("change", () => emit(this, "settings", this.chosen));
    // in the page only while open: its fields (Size, Speed…) are no second set of the page's controls meanwhile;
    // closed while recording (a browser may close it on a second Escape), the recording is cancelled
    this.dialog.addEventListener("close", () => {
      if (this.recording) emit(this, "cancel");
      this.dialog.remove();
    });
    this.container = el("div", { class: "record" }, this.button);
    this.recording = false;
  }

  #select(name, words) {
    return el("select", { name: `record-${name}` },
      Object.entries(words).map(([value, key]) => el("option", { value }, t(key))));
  }

  #field(text, control) {
    return el("label", { class: "record-field" }, el("span", {}, text), control);
  }

  /** The sizes' words: the view's option says its pixels ({w, h}). */
  describeView({ w, h }) {
    setText(this.size.querySelector('option[value="view"]'), t("record.size.view", { w, h }));
  }

  open() {
    this.#idle();
    this.bar.value = 0;
    this.container.append(this.dialog);
    this.dialog.showModal();
    emit(this, "settings", this.chosen);
  }

  /** The settings chosen: {size, framing, range, speed}. */
  get chosen() {
    return { size: this.size.value, framing: this.framing.value, range: this.range.value,
      speed: Number(this.speed.value) };
  }

  /** Say something about the video (its length before it is recorded, how a recording ended). */
  say(text) {
    setText(this.message, text);
  }

  /** A recording started: the settings are locked, Cancel stops it. */
  started() {
    this.recording = true;
    this.settings.disabled = true;
    this.startButton.disabled = true;
    setText(this.cancelButton, t("record.cancel"));
  }

  /** How far the recording is: `done` of its `total` positions of the run. */
  progress(done, total) {
    this.bar.value = done / total;
    this.say(t("record.progress", { percent: Math.round((100 * done) / total) }));
  }

  /** The recording ended (saved, cancelled or failed): say so; the settings can be used again. */
  finished(text) {
    this.#idle();
    this.say(text);
  }

  #idle() {
    this.recording = false;
    this.settings.disabled = false;
    this.startButton.disabled = false;
    setText(this.cancelButton, t("record.close"));
  }

  #start() {
    emit(this, "start", this.chosen);
  }

  #cancel() {
    if (this.recording) emit(this, "cancel");
    else this.dialog.close();
  }
}

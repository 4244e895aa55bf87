// The toolbar: Run, examples menu, device and dtype, share link, downloads (JSON, SVG, lesson). Raises events;
// knows no one.

import { el, emit } from "../util/dom.js";
import { ExamplesMenu } from "./examples-menu.js";
import { t } from "../i18n.js";

function select(label, name, choices) {
  const options = choices.map(([value, text]) => el("option", { value }, text));
  return el("select", { name, "aria-label": label, title: label }, options);
}

export class Toolbar extends EventTarget {
  constructor() {
    super();
    this.examples = new ExamplesMenu();
    this.examples.addEventListener("example", (event) => emit(this, "example", event.detail));
    this.device = select(t("toolbar.device"), "device", [["auto", "auto"], ["cpu", "cpu"], ["cuda", "cuda"]]);
    this.dtype = select(t("toolbar.dtype"), "dtype", [["float32", "float32"], ["float64", "float64"]]);
    this.run = this.#button(t("toolbar.run"), "run", t("toolbar.run.title"), "primary");
    this.share = this.#button(t("toolbar.share"), "share", t("toolbar.share.title"));
    this.compare = this.#button(t("diff.compare"), "compare", t("diff.compare.title"));
    this.lesson = this.#button(t("toolbar.lesson"), "download-lesson", t("toolbar.lesson.title"));
    this.container = el("div", { class: "toolbar", role: "toolbar", "aria-label": t("toolbar.label") },
      this.run, this.examples.container, this.device, this.dtype, this.compare,
      el("span", { class: "spacer" }),
      this.share,
      this.#button(t("toolbar.json"), "download-json", t("toolbar.json.title")),
      this.#button(t("toolbar.svg"), "download-svg", t("toolbar.svg.title")),
      this.lesson);
  }

  /** A lesson file: the controls that need the server are disabled, their title saying `reason`. */
  offline(reason) {
    const controls = [this.run, this.examples.button, this.device, this.dtype, this.share, this.lesson, this.compare];
    for (const control of controls) {
      control.disabled = true;
      control.title = reason;
    }
  }

  #button(text, event, title, cls = "") {
    return el("button", { type: "button", class: cls, title, onclick: () => emit(this, event) }, text);
  }

  /** Fill the examples menu from GET /examples. */
  setExamples(examples) {
    this.examples.setExamples(examples);
  }

  get options() {
    return { device: this.device.value, dtype: this.dtype.value };
  }

  set options({ device, dtype }) {
    this.device.value = device;
    this.dtype.value = dtype;
  }
}

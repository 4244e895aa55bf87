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
    this.device = select("Device", "device", [["auto", "auto"], ["cpu", "cpu"], ["cuda", "cuda"]]);
    this.dtype = select("Dtype", "dtype", [["float32", "float32"], ["float64", "float64"]]);
    this.run = this.#button("Run", "run", "Run the program (Ctrl+Enter)", "primary");
    this.share = this.#button("Share", "share", "Copy a link that reproduces this run");
    this.compare = this.#button(t("diff.compare"), "compare", t("diff.compare.title"));
    this.lesson = this.#button("Download lesson", "download-lesson",
      "Download one HTML file that plays this run from disk, with no server");
    this.container = el("div", { class: "toolbar", role: "toolbar", "aria-label": "Run controls" },
      this.run, this.examples.container, this.device, this.dtype, this.compare,
      el("span", { class: "spacer" }),
      this.share,
      this.#button("Download JSON", "download-json", "Download the graph as JSON"),
      this.#button("Download SVG", "download-svg", "Download the drawing as SVG"),
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

// The toolbar: Run, examples menu, device and dtype, share link, downloads. Raises events; knows no one.

import { el, emit } from "../util/dom.js";

function select(label, name, choices) {
  const options = choices.map(([value, text]) => el("option", { value }, text));
  return el("select", { name, "aria-label": label, title: label }, options);
}

export class Toolbar extends EventTarget {
  constructor() {
    super();
    this.examples = el("select", { name: "example", "aria-label": "Examples", title: "Examples" },
      el("option", { value: "" }, "Examples…"));
    this.device = select("Device", "device", [["auto", "auto"], ["cpu", "cpu"], ["cuda", "cuda"]]);
    this.dtype = select("Dtype", "dtype", [["float32", "float32"], ["float64", "float64"]]);
    this.examples.addEventListener("change", () => this.#pickExample());
    this.container = el("div", { class: "toolbar", role: "toolbar", "aria-label": "Run controls" },
      this.#button("Run", "run", "Run the program (Ctrl+Enter)", "primary"),
      this.examples, this.device, this.dtype,
      el("span", { class: "spacer" }),
      this.#button("Share", "share", "Copy a link that reproduces this run"),
      this.#button("Download JSON", "download-json", "Download the graph as JSON"),
      this.#button("Download SVG", "download-svg", "Download the current view as SVG"));
    this.exampleList = [];
  }

  #button(text, event, title, cls = "") {
    return el("button", { type: "button", class: cls, title, onclick: () => emit(this, event) }, text);
  }

  #pickExample() {
    const example = this.exampleList.find((e) => e.name === this.examples.value);
    if (example) emit(this, "example", example);
  }

  /** Fill the examples menu from GET /examples. */
  setExamples(examples) {
    this.exampleList = examples;
    this.examples.append(...examples.map((e) => el("option", { value: e.name, title: e.description }, e.title)));
  }

  get options() {
    return { device: this.device.value, dtype: this.dtype.value };
  }

  set options({ device, dtype }) {
    this.device.value = device;
    this.dtype.value = dtype;
  }
}

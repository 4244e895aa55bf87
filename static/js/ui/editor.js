// The code editor: textarea with a line-number gutter, Tab indents, Ctrl/Cmd+Enter runs, error marker, line marks.

import { el, emit } from "../util/dom.js";

const INDENT = "    ";

export class Editor extends EventTarget {
  constructor() {
    super();
    this.gutter = el("div", { class: "gutter", "aria-hidden": "true" });
    this.textarea = el("textarea", {
      class: "code", spellcheck: "false", autocomplete: "off", autocapitalize: "off",
      wrap: "off", "aria-label": "Program",
    });
    this.overlay = el("div", { class: "overlay", "aria-hidden": "true" });
    this.message = el("div", { class: "error-message", role: "alert", hidden: true });
    this.container = el("div", { class: "editor" }, this.gutter,
      el("div", { class: "code-wrap" }, this.overlay, this.textarea, this.message));
    this.error = null;
    this.marked = [];
    this.tabReleased = false;
    this.#listen();
  }

  #listen() {
    const area = this.textarea;
    area.addEventListener("input", () => this.#changed());
    area.addEventListener("scroll", () => this.#render());
    area.addEventListener("keydown", (event) => this.#key(event));
    area.addEventListener("click", () => emit(this, "line", this.currentLine()));
    area.addEventListener("keyup", (event) => {
      if (event.key === "ArrowUp" || event.key === "ArrowDown") emit(this, "line", this.currentLine());
    });
  }

  get value() {
    return this.textarea.value;
  }

  set value(text) {
    this.textarea.value = text;
    this.#changed();
  }

  /** The 1-based line the caret is on. */
  currentLine() {
    return this.textarea.value.slice(0, this.textarea.selectionStart).split("\n").length;
  }

  /** Show an error at a 1-based line and 0-based column (as Python's ast reports them). */
  showError(info) {
    this.error = info.line ? info : null;
    this.message.hidden = !this.error;
    this.message.textContent = this.error ? `Line ${info.line}: ${info.message}` : "";
    this.#render();
  }

  /** Highlight the given source lines (the lines that made the selected node). */
  markLines(lines) {
    this.marked = lines;
    this.#render();
  }

  #changed() {
    this.error = null;
    this.message.hidden = true;
    this.#render();
  }

  #key(event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      emit(this, "run");
    } else if (event.key === "Escape") {
      this.tabReleased = true; // the next Tab moves focus on, so the editor is no keyboard trap
    } else if (event.key === "Tab" && !this.tabReleased) {
      event.preventDefault();
      this.#indent(event.shiftKey);
    } else {
      this.tabReleased = false;
    }
  }

  #indent(outdent) {
    const area = this.textarea;
    const { selectionStart: start, selectionEnd: end, value } = area;
    if (!outdent) {
      area.setRangeText(INDENT, start, end, "end");
    } else {
      const lineStart = value.lastIndexOf("\n", start - 1) + 1;
      const spaces = value.slice(lineStart, lineStart + INDENT.length).match(/^ */)[0].length;
      area.setRangeText("", lineStart, lineStart + spaces, "preserve");
    }
    this.#changed();
  }

  #render() {
    const count = this.textarea.value.split("\n").length;
    if (this.gutter.childElementCount !== count) {
      this.gutter.replaceChildren(...Array.from({ length: count }, (_, i) => el("div", {}, String(i + 1))));
    }
    for (const [i, line] of [...this.gutter.children].entries()) {
      line.classList.toggle("error", this.error?.line === i + 1);
      line.classList.toggle("marked", this.marked.includes(i + 1));
    }
    this.gutter.scrollTop = this.textarea.scrollTop;
    this.#renderOverlay();
  }

  #renderOverlay() {
    const { lineHeight, charWidth, padTop, padLeft } = this.#metrics();
    const top = (line) => padTop + (line - 1) * lineHeight - this.textarea.scrollTop;
    const marks = this.marked.map((line) => this.#box("line-mark", top(line), 0, "100%", lineHeight));
    if (this.error) {
      const { line, col = 0, end_line: endLine, end_col: endCol } = this.error;
      const width = endLine === line && endCol > col ? endCol - col : 1;
      const left = padLeft + col * charWidth - this.textarea.scrollLeft;
      marks.push(this.#box("error-line", top(line), 0, "100%", lineHeight));
      marks.push(this.#box("error-underline", top(line) + lineHeight - 3, left, `${width * charWidth}px`, 3));
      this.message.style.top = `${top(line) + lineHeight + 2}px`;
    }
    this.overlay.replaceChildren(...marks);
  }

  #box(cls, top, left, width, height) {
    const box = el("div", { class: cls });
    Object.assign(box.style, { top: `${top}px`, left: `${left}px`, width, height: `${height}px` });
    return box;
  }

  #metrics() {
    const style = getComputedStyle(this.textarea);
    if (!this.charWidth) {
      const probe = el("span", { class: "code-probe" }, "0".repeat(40));
      this.container.append(probe);
      this.charWidth = probe.getBoundingClientRect().width / 40 || 8;
      probe.remove();
    }
    return {
      lineHeight: parseFloat(style.lineHeight) || 20,
      charWidth: this.charWidth,
      padTop: parseFloat(style.paddingTop) || 0,
      padLeft: parseFloat(style.paddingLeft) || 0,
    };
  }
}

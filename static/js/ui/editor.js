// The code editor: CodeMirror 6 (vendored) with Python highlighting, bracket matching, undo, search and a lint
// gutter with one marker per reported problem. Raises "run" (Ctrl/Cmd+Enter) and "line" (the caret's line, when the
// person moves it); marks the lines that made the selected node. Tab indents; Escape then Tab leaves (no trap).
// It lives in a shadow root: there CodeMirror styles itself with constructed stylesheets, which the page's CSP
// (no inline <style>) allows; its colours come from the page's custom properties (editor-theme.js).

import {
  Decoration, EditorState, EditorView, StateEffect, StateField, bracketMatching, classHighlighter, defaultKeymap,
  drawSelection, highlightActiveLine, highlightActiveLineGutter, highlightSelectionMatches, highlightSpecialChars,
  history, historyKeymap, indentOnInput, indentUnit, indentWithTab, keymap, lineNumbers, lintGutter, pythonLanguage,
  search, searchKeymap, setDiagnostics, syntaxHighlighting,
} from "../../vendor/codemirror/codemirror.js";
import { el, emit } from "../util/dom.js";
import { diagnosticRange, messageOf } from "../model/problems.js";
import { editorTheme } from "./editor-theme.js";
import { t } from "../i18n.js";


// CodeMirror's own words (its search panel, screen-reader announcements) in the page's language.
const PHRASES = {
  "Find": t("editor.find"),
  "Replace": t("editor.replace_field"),
  "next": t("editor.next"),
  "previous": t("editor.previous"),
  "all": t("editor.all"),
  "match case": t("editor.match_case"),
  "regexp": t("editor.regexp"),
  "by word": t("editor.by_word"),
  "replace": t("editor.replace"),
  "replace all": t("editor.replace_all"),
  "close": t("editor.close"),
  "current match": t("editor.current_match"),
  "on line": t("editor.on_line"),
  "replaced $ matches": t("editor.replaced_many"),
  "replaced match on line $": t("editor.replaced_one"),
  "Go to line": t("editor.go_to_line"),
  "go": t("editor.go"),
  "Diagnostics": t("editor.diagnostics"),
  "No diagnostics": t("editor.no_diagnostics"),
  "Control character": t("editor.control_character"),
  "Selection deleted": t("editor.selection_deleted"),
};

const setMarkedLines = StateEffect.define();
const markedLines = StateField.define({
  create: () => Decoration.none,
  update(marks, transaction) {
    let next = transaction.docChanged ? Decoration.none : marks; // edited: no longer the selected node's lines
    for (const effect of transaction.effects) if (effect.is(setMarkedLines)) next = effect.value;
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});
const MARKED_LINE = Decoration.line({ class: "cm-marked-line" });

export class Editor extends EventTarget {
  constructor() {
    super();
    const host = el("div", { class: "editor-host" });
    const root = host.attachShadow({ mode: "open" });
    const hint = el("p", { class: "editor-hint" }, t("editor.hint"));
    const state = EditorState.create({ extensions: this.#extensions(hint) });
    this.view = new EditorView({ root, parent: root, state });
    this.container = el("div", { class: "editor" }, host, hint);
  }

  #extensions(hint) {
    const runKey = { key: "Mod-Enter", preventDefault: true, run: () => (emit(this, "run"), true) };
    return [
      lineNumbers(), highlightActiveLineGutter(), lintGutter({ hoverTime: 100 }), highlightSpecialChars(), history(),
      drawSelection(), indentOnInput(), bracketMatching(), highlightActiveLine(), highlightSelectionMatches(),
      pythonLanguage, indentUnit.of("    "), search({ top: true }), markedLines, editorTheme,
      EditorState.phrases.of(PHRASES),
      syntaxHighlighting(classHighlighter), // tokens get tok-* classes, coloured in editor-theme.js
      keymap.of([runKey, ...searchKeymap, ...historyKeymap, ...defaultKeymap, indentWithTab]),
      EditorView.contentAttributes.of({ "aria-label": t("editor.label"), "aria-description": hint.textContent }),
      EditorView.updateListener.of((update) => this.#moved(update)),
    ];
  }

  // The person moved the caret (click, arrows): tell which line, so its nodes can be highlighted.
  #moved(update) {
    if (update.selectionSet && update.transactions.some((tr) => tr.isUserEvent("select"))) {
      emit(this, "line", this.currentLine());
    }
  }

  get value() {
    return this.view.state.doc.toString();
  }

  /** Replace the whole program (an example, a shared link); undo brings the old text back. */
  set value(text) {
    const { state } = this.view;
    this.view.dispatch({ changes: { from: 0, to: state.doc.length, insert: text }, selection: { anchor: 0 } });
    this.showProblems([]);
  }

  /** The 1-based line the caret is on. */
  currentLine() {
    const { state } = this.view;
    return state.doc.lineAt(state.selection.main.head).number;
  }

  /** Mark every problem that has a place (1-based line, 0-based column) in the gutter and under its text. */
  showProblems(problems) {
    const { doc } = this.view.state;
    const diagnostics = problems.filter((problem) => problem.line)
      .map((problem) => ({ ...diagnosticRange(doc, problem), severity: "error", message: messageOf(problem) }));
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }

  /** Put the caret on a problem's place and focus the editor there. */
  goTo({ line, col = 0 }) {
    const { from } = diagnosticRange(this.view.state.doc, { line, col });
    this.view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    this.view.focus();
  }

  /** Highlight the given source lines (the lines that made the selected node) and bring the first into view. */
  markLines(lines) {
    const { doc } = this.view.state;
    const starts = [...new Set(lines)].filter((line) => line >= 1 && line <= doc.lines).sort((a, b) => a - b)
      .map((line) => doc.line(line).from);
    const marks = Decoration.set(starts.map((from) => MARKED_LINE.range(from)));
    const effects = [setMarkedLines.of(marks)];
    if (starts.length) effects.push(EditorView.scrollIntoView(starts[0], { y: "nearest" }));
    this.view.dispatch({ effects });
  }
}

// What the page's editor (static/js/ui/editor.js) takes from CodeMirror 6: one ES module, built by
// scripts/build-codemirror. Add a name here (and rebuild) before using it in the page.

export { EditorState, StateEffect, StateField, Compartment } from "@codemirror/state";
export {
  Decoration, EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap,
  lineNumbers,
} from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
export { pythonLanguage } from "@codemirror/lang-python";
export { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
export { lintGutter, setDiagnostics } from "@codemirror/lint";
export { classHighlighter } from "@lezer/highlight";

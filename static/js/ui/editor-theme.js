// The editor's look, in the page's colour tokens (custom properties of app.css, which reach into the editor's shadow
// root), so light and dark themes and their contrast live in one place. It also replaces the lint markers' data:
// images, which the page's CSP (img-src 'self') would refuse.

import { EditorView } from "../../vendor/codemirror/codemirror.js";

const selection = "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, "
  + ".cm-selectionBackground, .cm-content ::selection";

export const editorTheme = EditorView.theme({
  // the editor's height is its host's (CodeMirror's base theme keeps it `position: relative !important`, so
  // `inset: 0` alone let a long program grow the editor over the panes below it on a phone)
  "&": { position: "absolute", inset: "0", height: "100%", color: "var(--text)", backgroundColor: "var(--panel)",
    fontSize: "13px" },
  "&.cm-focused": { outline: "2px solid var(--accent)", outlineOffset: "-2px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "20px" },
  ".cm-content": { caretColor: "var(--text)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
  ".cm-gutters": { backgroundColor: "var(--panel)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "var(--active-line)" },
  ".cm-marked-line": { backgroundColor: "var(--mark)" },
  [selection]: { backgroundColor: "var(--selection)" },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "var(--bracket)", outline: "1px solid var(--accent)" },
  "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: "var(--error-bg)", outline: "1px solid var(--error)" },
  ".cm-searchMatch": { backgroundColor: "var(--mark)", outline: "1px solid var(--muted)" },
  ".cm-selectionMatch": { backgroundColor: "var(--bracket)" },
  ".cm-panels": { backgroundColor: "var(--bg)", color: "var(--text)" },
  ".cm-panels.cm-panels-top": { borderBottom: "1px solid var(--border)" },
  ".cm-panel.cm-search": { fontFamily: "var(--sans)", fontSize: "13px" },
  ".cm-panel.cm-search label": { fontSize: "13px" },
  ".cm-panel.cm-search [name=close]": { color: "var(--text)", fontSize: "16px" },
  ".cm-textfield, .cm-button": {
    color: "var(--text)", backgroundColor: "var(--panel)", backgroundImage: "none",
    border: "1px solid var(--control-border)", borderRadius: "4px", fontSize: "13px",
  },
  ".cm-gutter-lint": { width: "1.2em" },
  ".cm-lint-marker": { width: "0.8em", height: "0.8em", marginTop: "0.15em" },
  ".cm-lint-marker-error": { content: "none", borderRadius: "50%", backgroundColor: "var(--error)" },
  ".cm-lintRange-error": {
    backgroundImage: "none", textDecoration: "underline wavy var(--error)", textDecorationSkipInk: "none",
    textUnderlineOffset: "3px",
  },
  ".cm-lintRange-active": { backgroundColor: "var(--mark)" },
  ".cm-tooltip": { color: "var(--text)", backgroundColor: "var(--panel)", border: "1px solid var(--control-border)" },
  ".cm-diagnostic-error": { borderLeft: "5px solid var(--error)" },
  ...tokenColours({
    keyword: ["keyword", "controlKeyword", "moduleKeyword", "operatorKeyword", "definitionKeyword"],
    string: ["string", "string2"], number: ["number", "bool", "null", "atom"], comment: ["comment"],
    function: ["definition", "function"], class: ["className", "typeName"], property: ["propertyName"],
  }),
  ".tok-comment": { color: "var(--tok-comment)", fontStyle: "italic" },
  ".tok-invalid": { color: "var(--error)" },
});

// {keyword: ["keyword", ...]} → {".tok-keyword, ...": {color: "var(--tok-keyword)"}} (classHighlighter's classes).
function tokenColours(groups) {
  return Object.fromEntries(Object.entries(groups).map(([token, names]) => [
    names.map((name) => `.tok-${name}`).join(", "), { color: `var(--tok-${token})` },
  ]));
}

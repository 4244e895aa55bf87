// The header's language switch: one button per language the page speaks, each named in its own words (and marked
// as that language), the page's own pressed. Raises "language" with another one; the controller reloads the page in it.

import { el, emit } from "../util/dom.js";
import { LANGUAGES, language, t } from "../i18n.js";

export class LanguageSwitch extends EventTarget {
  constructor() {
    super();
    const buttons = Object.entries(LANGUAGES).map(([code, name]) => el("button", {
      type: "button", lang: code, "data-language": code, "aria-pressed": String(code === language),
      onclick: () => code !== language && emit(this, "language", code),
    }, name));
    this.container = el("div", { class: "language-switch", role: "group", "aria-label": t("language.label") }, buttons);
  }
}

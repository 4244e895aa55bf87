// A lesson file (app/lesson.py): one HTML file with the page, a graph and its program, for file:// with no server.
// Here: reading the lesson the page was opened from, and "Download lesson", which fills the server's lesson page
// (GET /lesson, the same for every graph) with the graph shown.

import { download } from "./util/dom.js";
import { t } from "./i18n.js";

/** Why the server's features are off in a lesson (their buttons' titles and the status line say it). */
export const OFFLINE = t("lesson.offline");
const DATA_MARK = "/*lesson-data*/"; // app/lesson.py's DATA_MARK: the shell's first occurrence is the data's place

/** {program, graph} of the lesson this page is, or null for the page the server serves. */
export function readLesson(doc = document) {
  const data = doc.getElementById("lesson-data");
  return data ? JSON.parse(data.textContent) : null;
}

/** The lesson page `shell` holding this run; every "<" escaped, so the JSON cannot end its script element. */
export function lessonHtml(shell, program, graph) {
  const data = JSON.stringify({ program, graph }).replaceAll("<", "\\u003c");
  return shell.replace(DATA_MARK, () => data);
}

export async function downloadLesson(api, program, graph) {
  const html = lessonHtml(await api.lessonShell(), program, graph);
  download(new Blob([html], { type: "text/html" }), "gradtrace-lesson.html");
}

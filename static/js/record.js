// Recording the animation as a video (issue 20, Record): the player is stepped through a part of the run, each
// position's graph is painted on a canvas with its phase title and step sentence, and the canvas's MediaRecorder
// writes WebM. Frames are deterministic: the recorder is paused while a position is prepared (the SVG serialised
// and decoded as an image), so however long that takes the video shows each step for its planned time; the canvas
// stream only takes a frame when asked (captureStream(0) and requestFrame). The file is then made seekable
// (model/webm.js) and downloaded. Afterwards the page is where it was: position, camera, playing or not.

import { download } from "./util/dom.js";
import { t } from "./i18n.js";
import { visibleRect } from "./model/camera.js";
import { FPS, frameLayout, framePlan, planMs, rangeOf, videoSize, wholeDrawing } from "./model/recording.js";
import { fixWebm } from "./model/webm.js";
import { graphImage, pageTheme, paintFrame } from "./ui/frame.js";
import { STEP_MS } from "./ui/player.js";

const TYPES = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"];
const FILE = "gradtrace-animation.webm";
const SLICE_MS = 1000; // the recorder hands its data over each second, and starts a keyframe each second
const HIDDEN_TAB_MS = 500;
const PHASE_WORDS = { start: "record.phase.start", forward: "record.phase.forward", backward: "record.phase.backward",
  step: "record.phase.step" };
const BITS_PER_PIXEL = 8; // bits per second per pixel: text stays sharp from the first frame of a step

/** The WebM type this browser records (VP9 before VP8), or null when it records none. */
export function videoType() {
  if (!globalThis.MediaRecorder) return null;
  return TYPES.find((type) => MediaRecorder.isTypeSupported(type)) ?? null;
}

const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
// A big graph draws what the camera reached in the next frame; a hidden tab has no frames: do not wait forever.
const nextFrames = () => new Promise((resolve) => {
  requestAnimationFrame(() => requestAnimationFrame(resolve));
  setTimeout(resolve, HIDDEN_TAB_MS);
});

export class Recorder {
  /** `scene()` says what the page shows now: {steps, phase, caption} (the run's steps, the current phase, the
   * current step's sentence). */
  constructor(dialog, view, player, scene) {
    Object.assign(this, { dialog, view, player, scene });
    this.session = null;
    dialog.addEventListener("settings", (event) => this.preview(event.detail));
    dialog.addEventListener("start", (event) => this.record(event.detail));
    dialog.addEventListener("cancel", () => {
      if (this.session) this.session.cancelled = true;
    });
  }

  // What would be recorded with these settings ({size, framing, range, speed}): {plan, size}, or {problem}.
  #plan({ size, range, speed }) {
    const { steps } = this.scene();
    const part = rangeOf(steps, range, this.player.position);
    if (!videoType()) return { problem: t("record.unsupported") };
    if (!steps.length) return { problem: t("record.no_run") };
    if (!part) return { problem: t("record.empty") };
    return { part, plan: framePlan(part, speed, STEP_MS), size: videoSize(size, this.view.panZoom.view) };
  }

  /** Show what a video with these settings holds: its length, and the frame of the position shown now. */
  async preview(settings) {
    if (this.session) return;
    this.dialog.describeView(videoSize("view", this.view.panZoom.view));
    const { part, plan, size, problem } = this.#plan(settings);
    if (problem) return this.dialog.say(problem);
    const seconds = Math.round(planMs(plan) / 100) / 10;
    this.dialog.say(t("record.summary", { steps: part.to - part.from, seconds }));
    const layout = frameLayout(size);
    try {
      const image = await graphImage(this.view.svg, this.#shown(settings.framing), layout.graph);
      if (this.session) return;
      paintFrame(this.#canvas(size), layout, pageTheme(), { image, ...this.#words(this.player.position) });
    } catch (error) {
      this.dialog.say(t("record.preview_failed", { message: error.message }));
    }
  }

  /** Record a video with these settings and download it. */
  async record(settings) {
    if (this.session) return;
    const { plan, size, problem } = this.#plan(settings);
    if (problem) return this.dialog.finished(problem);
    const session = { cancelled: false };
    this.session = session;
    this.dialog.started();
    const saved = this.#hold();
    try {
      const bytes = await this.#film(session, plan, size, settings.framing);
      if (session.cancelled) this.dialog.finished(t("record.cancelled"));
      else this.#save(bytes, planMs(plan));
    } catch (error) {
      this.dialog.finished(t("record.failed", { message: error.message }));
    } finally {
      this.#restore(saved);
      this.session = null;
    }
  }

  // The preview canvas, the one recorded, at the video's size; opaque (the video has no alpha channel).
  #canvas(size) {
    const canvas = this.dialog.preview;
    if (canvas.width !== size.w || canvas.height !== size.h) {
      Object.assign(canvas, { width: size.w, height: size.h });
    }
    return canvas.getContext("2d", { alpha: false });
  }

  // The page's state before recording; the player paused, camera moves made at once (none half-way in a frame).
  #hold() {
    const saved = { position: this.player.position, camera: { ...this.view.panZoom.transform },
      playing: Boolean(this.player.loop) };
    this.player.pause();
    this.view.panZoom.instant = true;
    return saved;
  }

  #restore({ position, camera, playing }) {
    this.view.panZoom.instant = false;
    this.player.seek(position, true);
    this.view.panZoom.set(camera);
    if (playing) this.player.play();
  }

  async #film(session, plan, size, framing) {
    const context = this.#canvas(size);
    const { canvas } = context;
    const still = Object.assign(document.createElement("canvas"), { width: size.w, height: size.h });
    const track = canvas.captureStream(0).getVideoTracks()[0];
    const recorder = new MediaRecorder(new MediaStream([track]), { mimeType: videoType(),
      videoBitsPerSecond: size.w * size.h * BITS_PER_PIXEL, videoKeyFrameIntervalDuration: SLICE_MS });
    const chunks = [];
    recorder.addEventListener("dataavailable", (event) => chunks.push(event.data));
    const stopped = new Promise((resolve, reject) => {
      recorder.addEventListener("stop", resolve);
      recorder.addEventListener("error", (event) => reject(event.error ?? new Error("MediaRecorder failed")));
    });
    const layout = frameLayout(size);
    const theme = pageTheme();
    // The video's clock runs only while the recorder does: `filmed` ms so far, against `planned` ms. Each wait is
    // what is left to the next frame's planned time, so a timer's lateness is made up, not added up.
    let [filmed, planned] = [0, 0];
    recorder.start(SLICE_MS);
    recorder.pause();
    try {
      for (const [i, { position, frames }] of plan.entries()) {
        this.player.seek(position, true);
        await nextFrames();
        const image = await graphImage(this.view.svg, this.#shown(framing), layout.graph);
        if (session.cancelled) break;
        paintFrame(still.getContext("2d"), layout, theme, { image, ...this.#words(position) });
        recorder.resume();
        const resumed = performance.now();
        for (let frame = 0; frame < frames && !session.cancelled; frame += 1) {
          context.drawImage(still, 0, 0); // a drawn canvas gives a frame; an untouched one gives none
          track.requestFrame();
          planned += 1000 / FPS;
          await wait(planned - filmed - (performance.now() - resumed));
        }
        recorder.pause();
        filmed += performance.now() - resumed;
        this.dialog.progress(i + 1, plan.length);
      }
    } finally {
      if (recorder.state !== "inactive") recorder.stop();
      track.stop();
    }
    await stopped;
    return session.cancelled ? null : new Uint8Array(await new Blob(chunks).arrayBuffer());
  }

  // The part of the drawing in the video: what the view shows, or the whole drawing.
  #shown(framing) {
    const { panZoom, svg } = this.view;
    if (framing === "view") return visibleRect(panZoom.view, panZoom.transform);
    return wholeDrawing({ w: Number(svg.getAttribute("width")), h: Number(svg.getAttribute("height")) });
  }

  #words(position) {
    const { steps, phase, caption } = this.scene();
    return { title: t(PHASE_WORDS[phase]), counter: t("record.counter", { position, total: steps.length }),
      caption };
  }

  // The file made seekable (its Duration counts the last frame's time); as recorded if that fails, and said so.
  #save(bytes, ms) {
    let file = bytes;
    let note = "";
    try {
      file = fixWebm(bytes, 1000 / FPS);
    } catch (error) {
      note = t("record.unfixed", { message: error.message });
    }
    download(new Blob([file], { type: "video/webm" }), FILE);
    const megabytes = Math.round(file.length / 1e5) / 10;
    this.dialog.finished(`${t("record.done", { file: FILE, seconds: Math.round(ms / 100) / 10, megabytes })}${
      note ? ` ${note}` : ""}`);
  }
}

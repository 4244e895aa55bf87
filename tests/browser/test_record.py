"""Record video (issue 20): the logistic neuron recorded in headless Chromium gives a WebM file of the chosen
size with a Duration and Cues, which a <video> element reads and seeks; Cancel saves nothing; the page is left
as it was; a lesson file opened from disk records too (its CSP allows what the recording needs)."""

from __future__ import annotations

import base64
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Download, Page, expect
from test_lesson import offline, save_lesson

SEGMENT, INFO, DURATION, TRACKS = 0x18538067, 0x1549A966, 0x4489, 0x1654AE6B
CLUSTER, CUES = 0x1F43B675, 0x1C53BB6B
TIMECODE, SIMPLE_BLOCK, BLOCK_GROUP, BLOCK = 0xE7, 0xA3, 0xA0, 0xA1
TRACK_ENTRY, VIDEO, PIXEL_WIDTH, PIXEL_HEIGHT, DOC_TYPE = 0xAE, 0xE0, 0xB0, 0xBA, 0x4282
CUE_POINT, CUE_TRACK_POSITIONS, CUE_CLUSTER_POSITION = 0xBB, 0xB7, 0xF1
FRAME_MS = 100  # the recorder's 10 frames a second: the last frame is shown this long


@dataclass
class Element:
    id: int
    data: int
    end: int
    unknown: bool


def vint(data: bytes, at: int, marker: bool) -> tuple[int, int, bool]:
    length = 1
    while not data[at] & (0x80 >> (length - 1)):
        length += 1
    value = data[at] if marker else data[at] & (0xFF >> length)
    for byte in data[at + 1 : at + length]:
        value = value * 256 + byte
    return value, length, not marker and value == 2 ** (7 * length) - 1


def children(data: bytes, start: int, end: int) -> list[Element]:
    """The elements from start to end; none of the file's may have an unknown size (the test checks it)."""
    found = []
    at = start
    while at < end:
        ident, id_length, _ = vint(data, at, marker=True)
        size, size_length, unknown = vint(data, at + id_length, marker=False)
        begin = at + id_length + size_length
        found.append(Element(ident, begin, end if unknown else begin + size, unknown))
        at = found[-1].end
    return found


def one(data: bytes, parent: Element, ident: int) -> Element:
    [found] = [e for e in children(data, parent.data, parent.end) if e.id == ident]
    return found


def uint(data: bytes, element: Element) -> int:
    return int.from_bytes(data[element.data : element.end], "big")


def block_times(data: bytes, segment: Element) -> list[int]:
    """Every frame's time (ms), from the Clusters' timecodes and the blocks' signed offsets."""
    times = []
    for cluster in (e for e in children(data, segment.data, segment.end) if e.id == CLUSTER):
        timecode = uint(data, one(data, cluster, TIMECODE))
        for part in children(data, cluster.data, cluster.end):
            if part.id not in (SIMPLE_BLOCK, BLOCK_GROUP):
                continue
            block = part if part.id == SIMPLE_BLOCK else one(data, part, BLOCK)
            at = block.data + vint(data, block.data, marker=False)[1]  # after the track number
            (offset,) = struct.unpack(">h", data[at : at + 2])
            times.append(timecode + offset)
    return times


@dataclass
class Video:
    width: int
    height: int
    duration_ms: float
    frame_times: list[int]


def read_webm(data: bytes) -> Video:
    """The file's size, Duration and frames, checking that it is a sized WebM whose Cues point at Clusters."""
    header, segment = children(data, 0, len(data))
    assert data[one(data, header, DOC_TYPE).data : one(data, header, DOC_TYPE).end] == b"webm"
    assert (segment.id, segment.unknown, segment.end) == (SEGMENT, False, len(data))
    parts = children(data, segment.data, segment.end)
    assert not any(part.unknown for part in parts)
    duration_element = one(data, one(data, segment, INFO), DURATION)
    (duration,) = struct.unpack(">d", data[duration_element.data : duration_element.end])
    video = one(data, one(data, one(data, segment, TRACKS), TRACK_ENTRY), VIDEO)
    for point in children(data, one(data, segment, CUES).data, one(data, segment, CUES).end):
        assert point.id == CUE_POINT
        position = uint(data, one(data, one(data, point, CUE_TRACK_POSITIONS), CUE_CLUSTER_POSITION))
        assert vint(data, segment.data + position, marker=True)[0] == CLUSTER
    return Video(
        uint(data, one(data, video, PIXEL_WIDTH)),
        uint(data, one(data, video, PIXEL_HEIGHT)),
        duration,
        block_times(data, segment),
    )


# The file loaded into a <video> element of a blank page: what a browser (a slide) makes of it.
PLAY = """async (data) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const video = document.createElement("video");
  video.muted = true;
  video.src = URL.createObjectURL(new Blob([bytes], { type: "video/webm" }));
  await new Promise((resolve, reject) => {
    video.onloadedmetadata = resolve;
    video.onerror = () => reject(new Error(video.error.message));
  });
  const read = { width: video.videoWidth, height: video.videoHeight, duration: video.duration };
  video.currentTime = video.duration / 2;
  await new Promise((resolve) => { video.onseeked = resolve; });
  return { ...read, seekedTo: video.currentTime, seekable: video.seekable.end(0) };
}"""


def played(browser: Browser, data: bytes) -> dict[str, float]:
    page = browser.new_page()
    try:
        result: dict[str, float] = page.evaluate(PLAY, base64.b64encode(data).decode())
        return result
    finally:
        page.close()


def record(page: Page, size: str, speed: str = "4") -> Download:
    """Open Record video, choose a size and speed, record the whole run; the download."""
    page.get_by_role("button", name="Record video").click()
    dialog = page.get_by_role("dialog", name="Record a video of the animation")
    expect(dialog.locator(".record-message")).to_have_text(re.compile(r"^\d+ steps: a video of about"))
    dialog.get_by_label("Size").select_option(size)
    dialog.get_by_label("Speed").select_option(speed)
    with page.expect_download() as download:
        dialog.get_by_role("button", name="Start recording").click()
    expect(dialog.locator(".record-message")).to_have_text(re.compile("^Saved gradtrace-animation.webm"))
    return download.value


def saved(download: Download, folder: Path) -> bytes:
    assert download.suggested_filename == "gradtrace-animation.webm"
    path = folder / download.suggested_filename
    download.save_as(path)
    return path.read_bytes()


def test_the_logistic_neuron_recorded_is_a_seekable_webm_of_the_chosen_size(
    page: Page, browser: Browser, tmp_path: Path
) -> None:
    counter = page.locator(".counter")
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_role("button", name="Step", exact=True).click()
    before = counter.text_content()
    assert before is not None and before.startswith("2 / ")
    page.get_by_role("button", name="Zoom in").click()  # a camera of the person's own, not where steps lead
    drawing = page.locator("svg.graph")
    camera = drawing.evaluate("(svg) => getComputedStyle(svg).transform")  # the view's pan and zoom: a matrix
    data = saved(record(page, "1920x1080"), tmp_path)

    video = read_webm(data)
    assert (video.width, video.height) == (1920, 1080)
    assert video.frame_times[0] == 0
    assert video.frame_times == sorted(video.frame_times)
    assert video.duration_ms == video.frame_times[-1] + FRAME_MS  # the Duration written into the file
    shown = played(browser, data)
    assert (shown["width"], shown["height"]) == (1920, 1080)
    assert shown["duration"] == video.duration_ms / 1000
    assert shown["seekable"] == shown["duration"]  # a Chromium recording as it was handed over says Infinity
    assert shown["seekedTo"] == shown["duration"] / 2
    expect(counter).to_have_text(before)  # the page is where it was
    expect(drawing).to_have_css("transform", camera)


def test_cancel_stops_the_recording_and_saves_nothing(page: Page) -> None:
    downloads: list[Download] = []
    page.on("download", lambda download: downloads.append(download))
    counter = page.locator(".counter")
    before = counter.text_content()
    page.get_by_role("button", name="Record video").click()
    dialog = page.get_by_role("dialog", name="Record a video of the animation")
    dialog.get_by_label("Speed").select_option("0.5")
    dialog.get_by_role("button", name="Start recording").click()
    expect(dialog.locator(".record-message")).to_have_text(re.compile(r"^Recording… [1-9]\d* %$"))
    assert dialog.evaluate("(d) => d.matches(':modal')")  # the page behind cannot be used meanwhile
    expect(dialog.get_by_role("button", name="Start recording")).to_be_disabled()
    expect(dialog.get_by_label("Size")).to_be_disabled()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog.locator(".record-message")).to_have_text("Cancelled: no file was saved.")
    expect(counter).to_have_text(before or "")
    assert downloads == []
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_a_lesson_file_records_offline(browser: Browser, page: Page, tmp_path: Path) -> None:
    with offline(browser, save_lesson(page, tmp_path)) as lesson:
        video = read_webm(saved(record(lesson, "1280x720"), tmp_path))
    assert (video.width, video.height) == (1280, 720)
    assert video.duration_ms == video.frame_times[-1] + FRAME_MS

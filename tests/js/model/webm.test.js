// fixWebm on real recordings by Chromium's MediaRecorder (tests/js/fixtures/webm/record.py made them): 24 frames
// of 100 ms, a keyframe each second. The frame times below were read from the files with an independent EBML dump.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { WEBM_IDS as ID, elements, fixWebm, readFloat, readUint, readVint } from "../../../static/js/model/webm.js";

const fixture = (name) => new Uint8Array(readFileSync(new URL(`../fixtures/webm/${name}`, import.meta.url)));
const TAIL_MS = 100;

const only = (bytes, parent, id) => {
  const found = [...elements(bytes, parent.data, parent.end)].filter((e) => e.id === id);
  assert.equal(found.length, 1, `one 0x${id.toString(16)}`);
  return found[0];
};
const all = (bytes, parent, id) => [...elements(bytes, parent.data, parent.end)].filter((e) => e.id === id);

function segmentOf(bytes) {
  const top = [...elements(bytes)];
  assert.deepEqual(top.map((e) => e.id), [ID.EBML, ID.Segment]);
  return top[1];
}

// Every frame's bytes (a SimpleBlock's, or a BlockGroup's Block's) and time, in file order.
function frames(bytes) {
  const segment = segmentOf(bytes);
  return all(bytes, segment, ID.Cluster).flatMap((cluster) => {
    const timecode = readUint(bytes, only(bytes, cluster, ID.Timecode));
    return [...elements(bytes, cluster.data, cluster.end)]
      .filter((e) => e.id === ID.SimpleBlock || e.id === ID.BlockGroup)
      .map((e) => (e.id === ID.SimpleBlock ? e : only(bytes, e, ID.Block)))
      .map((block) => {
        const track = readVint(bytes, block.data).length;
        const relative = new DataView(bytes.buffer, bytes.byteOffset + block.data + track, 2).getInt16(0);
        return { time: timecode + relative, data: bytes.slice(block.data, block.end).join(",") };
      });
  });
}

// No element of unknown size anywhere in the Segment's first two levels; the Segment ends where the file does.
function assertSized(bytes) {
  const segment = segmentOf(bytes);
  const header = readVint(bytes, segment.at, true).length;
  assert.equal(readVint(bytes, segment.at + header).unknown, false);
  assert.equal(segment.end, bytes.length);
  for (const part of elements(bytes, segment.data, segment.end)) {
    assert.equal(readVint(bytes, part.at + readVint(bytes, part.at, true).length).unknown, false);
  }
}

const idAt = (bytes, at) => readVint(bytes, at, true).value;

function cuesOf(bytes) {
  const segment = segmentOf(bytes);
  return all(bytes, only(bytes, segment, ID.Cues), ID.CuePoint).map((point) => {
    const positions = only(bytes, point, ID.CueTrackPositions);
    return {
      time: readUint(bytes, only(bytes, point, ID.CueTime)),
      track: readUint(bytes, only(bytes, positions, ID.CueTrack)),
      at: segment.data + readUint(bytes, only(bytes, positions, ID.CueClusterPosition)),
    };
  });
}

function durationOf(bytes) {
  const info = only(bytes, segmentOf(bytes), ID.Info);
  return readFloat(bytes, only(bytes, info, ID.Duration));
}

for (const [name, keyframes, last] of [
  ["live-vp9.webm", [0, 1006, 2010], 2311], // SimpleBlocks
  ["live-vp8-alpha.webm", [0, 1003, 2009], 2310], // BlockGroups: a Block with its alpha in BlockAdditions
]) {
  test(`${name}: a live recording gets sizes, a Duration and Cues, its frames unchanged`, () => {
    const recorded = fixture(name);
    assert.equal(readVint(recorded, segmentOf(recorded).at + 4).unknown, true); // as MediaRecorder writes it
    assert.equal(all(recorded, segmentOf(recorded), ID.Info).flatMap((info) => all(recorded, info, ID.Duration))
      .length, 0);

    const fixed = fixWebm(recorded, TAIL_MS);
    assertSized(fixed);
    assert.equal(durationOf(fixed), last + TAIL_MS);
    assert.deepEqual(frames(fixed), frames(recorded));
    assert.equal(frames(fixed).length, 24);
    const cues = cuesOf(fixed);
    assert.deepEqual(cues.map((cue) => cue.time), keyframes);
    for (const cue of cues) { // each cue points at the Cluster whose first frame is that keyframe
      assert.equal(cue.track, 1);
      assert.equal(idAt(fixed, cue.at), ID.Cluster);
      const [cluster] = elements(fixed, cue.at);
      const timecode = readUint(fixed, only(fixed, cluster, ID.Timecode));
      assert.equal(timecode, cue.time);
    }
  });
}

test("the SeekHead points at the Info, the Tracks and the Cues", () => {
  const fixed = fixWebm(fixture("live-vp9.webm"), TAIL_MS);
  const segment = segmentOf(fixed);
  const [first] = elements(fixed, segment.data, segment.end);
  assert.equal(first.id, ID.SeekHead);
  const targets = all(fixed, first, ID.Seek).map((seek) => [
    readUint(fixed, only(fixed, seek, ID.SeekID)),
    idAt(fixed, segment.data + readUint(fixed, only(fixed, seek, ID.SeekPosition))),
  ]);
  assert.deepEqual(targets, [[ID.Info, ID.Info], [ID.Tracks, ID.Tracks], [ID.Cues, ID.Cues]]);
});

test("a file with its own Duration and Cues (Chromium without slices) is rewritten the same way, once", () => {
  const recorded = fixture("whole-vp9.webm");
  const fixed = fixWebm(recorded, TAIL_MS);
  assertSized(fixed);
  assert.equal(durationOf(fixed), 2308 + TAIL_MS);
  assert.deepEqual(cuesOf(fixed).map((cue) => cue.time), [0, 1003, 2006]);
  assert.deepEqual(frames(fixed), frames(recorded));
  const ids = [...elements(fixed, segmentOf(fixed).data)].map((e) => e.id);
  assert.deepEqual(ids, [ID.SeekHead, ID.Info, ID.Tracks, ID.Cues, ID.Cluster, ID.Cluster, ID.Cluster]);
  assert.deepEqual(fixWebm(fixed, TAIL_MS), fixed);
});

test("the Duration holds the last frame's time plus how long it is shown", () => {
  assert.equal(durationOf(fixWebm(fixture("live-vp9.webm"), 1500)), 2311 + 1500);
});

test("what is not a WebM file is refused with the reason", () => {
  assert.throws(() => fixWebm(new TextEncoder().encode("<svg></svg>"), TAIL_MS), /not a WebM file/);
  assert.throws(() => fixWebm(fixture("live-vp9.webm").slice(0, 30), TAIL_MS), /not a WebM file/);
  assert.throws(() => fixWebm(new Uint8Array(0), TAIL_MS), /not a WebM file/);
});

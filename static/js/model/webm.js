// Pure: make a recorded WebM file seekable. A MediaRecorder that hands its data over in slices (Chrome, Firefox)
// writes a live stream: a Segment and Clusters of unknown size, no Duration in the Segment's Info and no Cues, so
// players show no length and cannot seek (Chromium issue 642012). fixWebm rewrites the same frames, byte for
// byte, into a file with sizes, a Duration, Cues (one per keyframe) and a SeekHead that points at them.
// EBML: every element is an ID (a vint keeping its length marker), a size (a vint; all ones = unknown), data.

const ID = {
  EBML: 0x1a45dfa3, Segment: 0x18538067, SeekHead: 0x114d9b74, Seek: 0x4dbb, SeekID: 0x53ab, SeekPosition: 0x53ac,
  Info: 0x1549a966, TimecodeScale: 0x2ad7b1, Duration: 0x4489, Tracks: 0x1654ae6b, Cluster: 0x1f43b675,
  Timecode: 0xe7, SimpleBlock: 0xa3, BlockGroup: 0xa0, Block: 0xa1, BlockDuration: 0x9b, ReferenceBlock: 0xfb,
  Cues: 0x1c53bb6b, CuePoint: 0xbb, CueTime: 0xb3, CueTrackPositions: 0xb7, CueTrack: 0xf7,
  CueClusterPosition: 0xf1, Void: 0xec,
};
// The Segment's own children: where a Cluster of unknown size ends
const TOP_LEVEL = new Set([ID.SeekHead, ID.Info, ID.Tracks, ID.Cluster, ID.Cues, 0x1043a770, 0x1941a469,
  0x1254c367]);
const DEFAULT_SCALE = 1_000_000; // ns per timecode unit when the Info does not say
const REBUILT = new Set([ID.SeekHead, ID.Cues, ID.Void, ID.Info, ID.Cluster]); // written anew; the rest is copied

export { ID as WEBM_IDS };

/** A variable-length integer at `at`: {value, length, unknown}; an ID keeps its length marker (`marker`). */
export function readVint(bytes, at, marker = false) {
  const first = bytes[at];
  if (first === undefined || first === 0) throw new Error(`not a WebM file: no EBML number at byte ${at}`);
  const length = Math.clz32(first) - 23; // 1 for 1xxxxxxx … 8 for 00000001
  let value = marker ? first : first & (0xff >> length);
  let ones = value === 0xff >> length;
  for (let i = 1; i < length; i += 1) {
    const byte = bytes[at + i];
    if (byte === undefined) throw new Error(`not a WebM file: it ends inside a number at byte ${at}`);
    value = value * 256 + byte;
    ones &&= byte === 0xff;
  }
  return { value, length, unknown: !marker && ones };
}

/** An element's header at `at`: {id, at, data (where its data starts), size (null when unknown)}. */
function header(bytes, at) {
  const id = readVint(bytes, at, true);
  const size = readVint(bytes, at + id.length);
  return { id: id.value, at, data: at + id.length + size.length, size: size.unknown ? null : size.value };
}

/** The elements between `start` and `end`, in order: {id, at, data, end}; an element of unknown size ends where
 * its parent ends (a Segment) or where the next top-level element starts (a Cluster). */
export function* elements(bytes, start = 0, end = bytes.length) {
  let at = start;
  while (at < end) {
    const { id, data, size } = header(bytes, at);
    let stop = size === null ? unknownEnd(bytes, id, data, end) : data + size;
    if (stop > end) {
      if (id !== ID.Cluster && id !== ID.Segment) {
        throw new Error(`not a WebM file: element 0x${id.toString(16)} at byte ${at} runs past its parent`);
      }
      stop = end; // the last Cluster of a recording cut short: keep what is there
    }
    yield { id, at, data, end: stop };
    at = stop;
  }
}

// A Cluster of unknown size ends at the next top-level element (its children's headers are skipped over).
function unknownEnd(bytes, id, data, end) {
  if (id !== ID.Cluster) return end;
  let at = data;
  while (at < end) {
    const next = header(bytes, at);
    if (TOP_LEVEL.has(next.id) || next.size === null) return at;
    at = next.data + next.size;
  }
  return end;
}

const child = (bytes, parent, id) => [...elements(bytes, parent.data, parent.end)].find((e) => e.id === id);

/** An unsigned big-endian integer element's value. */
export function readUint(bytes, element) {
  let value = 0;
  for (let i = element.data; i < element.end; i += 1) value = value * 256 + bytes[i];
  return value;
}

/** A float element's value (4 or 8 bytes). */
export function readFloat(bytes, element) {
  const view = new DataView(bytes.buffer, bytes.byteOffset + element.data, element.end - element.data);
  return view.byteLength === 4 ? view.getFloat32(0) : view.getFloat64(0);
}

/**
 * The same recording as a seekable file: known sizes, the Duration (the last frame's time plus `tailMs`, how
 * long that frame is shown) and Cues. A file that has them already is rewritten the same way (the result does
 * not depend on what the recorder wrote about them).
 */
export function fixWebm(bytes, tailMs) {
  const [header, segment] = elements(bytes);
  if (header?.id !== ID.EBML || segment?.id !== ID.Segment) throw new Error("not a WebM file: no EBML Segment");
  const parts = [...elements(bytes, segment.data, segment.end)];
  const info = parts.find((e) => e.id === ID.Info);
  if (!info) throw new Error("not a WebM file: its Segment has no Info");
  const scaleElement = child(bytes, info, ID.TimecodeScale);
  const scale = scaleElement ? readUint(bytes, scaleElement) : DEFAULT_SCALE;
  const clusters = parts.filter((e) => e.id === ID.Cluster).map((c) => readCluster(bytes, c));
  const last = Math.max(0, ...clusters.flatMap((c) => c.ends));
  const duration = last + (tailMs * 1e6) / scale;

  const infoOut = element(ID.Info, ...[...elements(bytes, info.data, info.end)]
    .filter((e) => e.id !== ID.Duration).map((e) => bytes.subarray(e.at, e.end)), float64(ID.Duration, duration));
  const kept = parts.filter((e) => !REBUILT.has(e.id)).map((e) => bytes.subarray(e.at, e.end)); // Tracks, Tags…
  const clusterOut = clusters.map((c) => element(ID.Cluster, bytes.subarray(c.data, c.end)));
  // Fixed-width positions: the SeekHead's and the Cues' sizes do not depend on the positions they hold.
  const seekSize = seekHead([0, 0, 0]).length;
  const keyframes = clusters.flatMap((c, i) => c.keyframes.map((k) => ({ ...k, cluster: i })));
  const cuesSize = cues(keyframes, []).length;
  const infoAt = seekSize;
  const keptAt = infoAt + infoOut.length;
  const cuesAt = keptAt + total(kept);
  const clusterAt = [];
  let at = cuesAt + cuesSize;
  for (const cluster of clusterOut) {
    clusterAt.push(at);
    at += cluster.length;
  }
  const tracksAt = keptAt + offsetOf(parts, kept, ID.Tracks);
  const body = [seekHead([infoAt, tracksAt, cuesAt]), infoOut, ...kept, cues(keyframes, clusterAt), ...clusterOut];
  return concat([bytes.subarray(header.at, header.end), sized(ID.Segment, body, 8)]);
}

// A Cluster's timecode, where each of its frames ends and its keyframes ({time, track}).
function readCluster(bytes, cluster) {
  const timecodeElement = child(bytes, cluster, ID.Timecode);
  const timecode = timecodeElement ? readUint(bytes, timecodeElement) : 0;
  const ends = [];
  const keyframes = [];
  for (const e of elements(bytes, cluster.data, cluster.end)) {
    if (e.id !== ID.SimpleBlock && e.id !== ID.BlockGroup) continue;
    const block = e.id === ID.SimpleBlock ? e : child(bytes, e, ID.Block);
    if (!block) continue;
    const track = readVint(bytes, block.data);
    const offset = block.data + track.length;
    const time = timecode + ((bytes[offset] << 24) >> 16 | bytes[offset + 1]); // signed 16 bits
    const durationElement = e.id === ID.BlockGroup ? child(bytes, e, ID.BlockDuration) : null;
    ends.push(time + (durationElement ? readUint(bytes, durationElement) : 0));
    const key = e.id === ID.SimpleBlock ? (bytes[offset + 2] & 0x80) !== 0 : !child(bytes, e, ID.ReferenceBlock);
    if (key) keyframes.push({ time, track: track.value });
  }
  return { data: cluster.data, end: cluster.end, ends, keyframes };
}

// Where the Tracks element lands among the copied elements (0 when the file has none: the SeekHead says so too).
function offsetOf(parts, kept, id) {
  const copied = parts.filter((e) => !REBUILT.has(e.id));
  const index = copied.findIndex((e) => e.id === id);
  return index < 0 ? 0 : total(kept.slice(0, index));
}

function seekHead([info, tracks, cues]) {
  const seek = (id, position) => element(ID.Seek, element(ID.SeekID, idBytes(id)), uint(ID.SeekPosition, position, 8));
  return element(ID.SeekHead, seek(ID.Info, info), seek(ID.Tracks, tracks), seek(ID.Cues, cues));
}

function cues(keyframes, clusterAt) {
  return element(ID.Cues, ...keyframes.map((k) => element(ID.CuePoint, uint(ID.CueTime, k.time, 8),
    element(ID.CueTrackPositions, uint(ID.CueTrack, k.track, 1),
      uint(ID.CueClusterPosition, clusterAt[k.cluster] ?? 0, 8)))));
}

function element(id, ...children) {
  return sized(id, children);
}

// An element with its size written in `width` bytes (the shortest that holds it by default).
function sized(id, children, width = 0) {
  const size = total(children);
  return concat([idBytes(id), sizeBytes(size, width), ...children]);
}

function idBytes(id) {
  const length = id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1;
  return bigEndian(id, length);
}

function sizeBytes(size, width) {
  let length = width || 1;
  while (size >= 2 ** (7 * length) - 1) length += 1; // all ones would mean "unknown"
  const bytes = bigEndian(size, length);
  bytes[0] |= 0x80 >> (length - 1);
  return bytes;
}

function uint(id, value, length) {
  return element(id, bigEndian(Math.round(value), length));
}

function float64(id, value) {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value);
  return element(id, bytes);
}

function bigEndian(value, length) {
  const bytes = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i -= 1) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return bytes;
}

const total = (parts) => parts.reduce((sum, part) => sum + part.length, 0);

function concat(parts) {
  const out = new Uint8Array(total(parts));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

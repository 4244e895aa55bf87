// Program and options in the URL fragment, deflate-compressed and base64url-encoded, so a link reproduces a run;
// a comparison's link also holds the run before the change (`before`: its program and options), and the page's
// language rides beside them ("#p=…&lang=el"), so a link opens in the language it was shared in. A link
// without a language (older ones) opens in the browser's.

const KEY = "p";
const LANGUAGE = "lang";
const DEFAULT_OPTIONS = { device: "auto", dtype: "float32" };

/** Encode {program, options, before?, language} into a fragment such as "#p=…&lang=el" (no language: "#p=…"). */
export async function encodeState({ program, options, before, language = null }) {
  const state = { program, options: { ...DEFAULT_OPTIONS, ...options } };
  if (before) state.before = { program: before.program, options: { ...DEFAULT_OPTIONS, ...before.options } };
  const json = JSON.stringify(state);
  const bytes = await transform(new TextEncoder().encode(json), new CompressionStream("deflate-raw"));
  return withLanguage(`#${KEY}=${toBase64Url(bytes)}`, language);
}

/** The language a fragment names ("el"), or null. */
export function languageOf(fragment) {
  return new URLSearchParams(fragment.replace(/^#/, "")).get(LANGUAGE);
}

/** The fragment with its language set to `language` (null: none), the rest kept. */
export function withLanguage(fragment, language) {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  if (language) params.set(LANGUAGE, language);
  else params.delete(LANGUAGE);
  const text = params.toString();
  return text ? `#${text}` : "";
}

/** Decode a fragment back into {program, options, before?}; null when it holds no (valid) state. */
export async function decodeState(fragment) {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  const encoded = params.get(KEY);
  if (!encoded) return null;
  try {
    const bytes = await transform(fromBase64Url(encoded), new DecompressionStream("deflate-raw"));
    const state = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof state.program !== "string") return null;
    const decoded = { program: state.program, options: { ...DEFAULT_OPTIONS, ...state.options } };
    if (typeof state.before?.program === "string") {
      decoded.before = { program: state.before.program, options: { ...DEFAULT_OPTIONS, ...state.before.options } };
    }
    return decoded;
  } catch {
    return null;
  }
}

async function transform(bytes, stream) {
  const output = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(output).arrayBuffer());
}

function toBase64Url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

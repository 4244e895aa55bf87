// Bundles entry.js into one minified ES module for the page, and gathers the license of every package in it.
// Run through scripts/build-codemirror (which installs the pinned packages first).

import { build } from "esbuild";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const OUT = new URL("../../static/vendor/codemirror/", import.meta.url).pathname;

const result = await build({
  entryPoints: ["entry.js"], bundle: true, format: "esm", minify: true, metafile: true, write: false,
  target: "es2020", legalComments: "none",
});
const packages = bundledPackages(result.metafile);
const versions = await Promise.all(packages.map(async (name) => `${name}@${(await manifest(name)).version}`));
const banner = `/* CodeMirror 6 for gradtrace (scripts/build-codemirror): ${versions.join(", ")}. `
  + "MIT licensed; see LICENSE.txt next to this file. */\n";
await mkdir(OUT, { recursive: true });
await writeFile(join(OUT, "codemirror.js"), banner + result.outputFiles[0].text);
await writeFile(join(OUT, "LICENSE.txt"), (await Promise.all(packages.map(licenseText))).join("\n"));
console.log(`${OUT}codemirror.js: ${result.outputFiles[0].contents.length} bytes from ${packages.length} packages`);

// The packages with code in the bundle (tree-shaking drops some that entry.js reaches, e.g. autocomplete).
function bundledPackages(metafile) {
  const names = new Set();
  const [output] = Object.values(metafile.outputs);
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const match = bytesInOutput > 0 && input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}

async function manifest(name) {
  return JSON.parse(await readFile(join("node_modules", name, "package.json"), "utf8"));
}

async function licenseText(name) {
  const { version, license } = await manifest(name);
  const file = (await readdir(join("node_modules", name))).find((entry) => /^licen[cs]e/i.test(entry));
  if (!file) throw new Error(`${name} ships no license file`);
  const text = await readFile(join("node_modules", name, file), "utf8");
  return `==== ${name}@${version} (${license}) ====\n${text.trim()}\n`;
}

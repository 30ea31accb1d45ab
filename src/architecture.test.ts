import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { repoPath } from "./testing/paths.js";

/**
 * The layering of docs/architecture.md, checked on the sources: the pure core (stats, drift) does no
 * I/O and knows nothing of the layers above it; layers import each other only downward.
 */
const layers: Record<string, readonly string[]> = {
  errors: [],
  stats: [],
  sketches: [],
  metrics: ["stats"],
  drift: ["stats", "errors"],
  monitor: ["config", "drift", "fairness", "metrics", "sketches", "stats", "errors"],
  data: ["errors"],
  config: ["drift", "stats", "errors"],
  store: ["errors"],
  notify: ["errors"],
  alerts: ["monitor", "config", "drift", "errors"],
  // Model health (issue #6): group fairness and explanations are pure; resources are collectors (I/O).
  fairness: ["metrics", "stats", "errors"],
  explain: ["stats", "errors"],
  resources: ["errors"],
  report: ["drift", "stats", "errors"],
  parallel: ["drift", "data", "stats", "errors"],
  // Optimization (issue #13): ONNX I/O — the codec, graph edits and checker are pure; runtime.ts is
  // the onnxruntime-node adapter and cpu-features.ts reads /proc/cpuinfo.
  onnx: ["errors"],
  server: [
    "parallel",
    "fairness",
    "explain",
    "resources",
    "alerts",
    "notify",
    "monitor",
    "config",
    "store",
    "drift",
    "data",
    "metrics",
    "sketches",
    "stats",
    "errors",
  ],
  demo: ["server", "client", "data", "drift", "errors"],
  cli: [
    "demo",
    "notify",
    "server",
    "monitor",
    "drift",
    "data",
    "report",
    "parallel",
    "config",
    "store",
    "stats",
    "errors",
  ],
  bench: ["drift", "data", "parallel", "stats", "sketches", "metrics", "store", "testing", "errors"],
  testing: ["errors", "stats"],
  // The dashboard runs in the browser: it talks to the server over HTTP only, never imports its code.
  ui: [],
  // The client SDK ships alone (`tiktoktoe/client`): it imports nothing from the rest of the project.
  client: [],
};
const pureLayers = new Set([
  "stats",
  "sketches",
  "metrics",
  "drift",
  "monitor",
  "alerts",
  "fairness",
  "explain",
  "ui",
]);

/** Shipped sources: test-only files (`*.test.*`, left out of the package) may use src/testing. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith(".ts") && !entry.name.includes(".test.")
        ? [join(dir, entry.name)]
        : [],
  );
}

test("layers import only downward, and the pure core does no I/O", () => {
  const src = repoPath("src");
  const problems: string[] = [];
  for (const file of sources(src)) {
    const parts = relative(src, file).split("/");
    if (parts.length === 1) continue; // src/index.ts re-exports the public surface
    const layer = parts[0]!;
    if (!(layer in layers)) {
      problems.push(
        `${relative(src, file)}: folder "${layer}" is not a declared layer (add it to this test and docs/architecture.md)`,
      );
      continue;
    }
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/^\s*(?:import|export)[^"']*?from\s+["']([^"']+)["']/gm)) {
      const target = match[1]!;
      if (target.startsWith("node:")) {
        if (pureLayers.has(layer))
          problems.push(`${relative(src, file)}: the pure ${layer} layer imports ${target}`);
        continue;
      }
      if (!target.startsWith(".")) continue;
      const other = relative(src, resolve(dirname(file), target)).split("/")[0]!;
      if (other !== layer && !layers[layer]!.includes(other))
        problems.push(`${relative(src, file)}: ${layer} must not import ${other}`);
    }
  }
  assert.deepEqual(problems, []);
});

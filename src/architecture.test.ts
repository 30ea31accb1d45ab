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
  // The structured logger (issue #12): a port of its own, used by the server.
  logging: [],
  // The HTTP contract (zod schemas of every request and answer): the server validates with it and
  // generates /openapi.json from it; the dashboard and the client SDK take their types from it.
  contract: ["errors"],
  stats: [],
  sketches: ["stats"],
  metrics: ["stats"],
  drift: ["stats", "errors"],
  monitor: ["config", "drift", "fairness", "metrics", "sketches", "stats", "errors"],
  data: ["errors"],
  config: ["alerts", "drift", "stats", "errors"],
  store: ["errors"],
  // The ingest log (issue #16): in-process and NATS JetStream adapters of one port.
  queue: ["errors"],
  notify: ["errors"],
  alerts: ["monitor", "drift", "errors"],
  // Model health (issue #6): group fairness and explanations are pure; resources are collectors (I/O).
  fairness: ["metrics", "stats", "errors"],
  explain: ["stats", "errors"],
  // Optimization (issue #13): the pure maths of calibration, quantization, pruning and acceptance.
  // It reads and rewrites ONNX graphs through onnx's pure modules (codec, graph, node, tensor,
  // checker — never its barrel, which reaches the runtime adapter) and the pure trainer's MLP types;
  // the transitive purity test below checks that nothing it loads does I/O.
  optimize: ["onnx", "train", "stats", "errors"],
  // The optimization system (issue #13): runs techniques with onnxruntime, validates, chooses.
  optimizer: ["optimize", "onnx", "train", "data", "stats", "errors"],
  // Training small MLPs (issues #13, #15): pure, like the statistics it builds on.
  train: ["stats"],
  resources: ["errors"],
  // Deployment (issue #14): stages, sticky routing, the rollout state machine and the canary analysis.
  deploy: ["drift", "fairness", "stats", "errors"],
  report: ["drift", "stats", "errors"],
  parallel: ["drift", "data", "stats", "errors"],
  // Optimization (issue #13): ONNX I/O — the codec, graph edits and checker are pure; runtime.ts is
  // the onnxruntime-node adapter and cpu-features.ts reads /proc/cpuinfo.
  onnx: ["errors"],
  server: [
    // The learning loop (issue #15) runs src/learn's validation, gate and learners on the store's data.
    "learn",
    "report",
    "logging",
    "onnx",
    "contract",
    "parallel",
    "fairness",
    "explain",
    "resources",
    "alerts",
    "notify",
    "monitor",
    "deploy",
    "config",
    "store",
    // The ingest log between API replicas and workers (issue #16): a port like the store's.
    "queue",
    "drift",
    "data",
    "metrics",
    "sketches",
    "stats",
    "errors",
  ],
  demo: ["server", "client", "data", "drift", "errors"],
  cli: [
    "optimizer",
    // `optimize --server` downloads a version's files with the SDK's calls (issue #13).
    "client",
    "onnx",
    "logging",
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
    "learn",
  ],
  bench: [
    // The serving bench also starts the server in its own process (startServer): the server's overhead
    // apart from the operating system's wake-ups between two processes (issue #14).
    "server",
    "logging",
    "optimizer",
    "optimize",
    "onnx",
    "drift",
    "data",
    "parallel",
    "stats",
    "sketches",
    "metrics",
    "store",
    "train",
    "testing",
    "errors",
    "queue",
    "learn",
  ],
  testing: ["errors", "stats"],
  // Continuous learning (issue #15): online linear models, validation, importance weights, ONNX
  // export through onnx's pure modules (node, tensor, types — never its barrel); fine-tuning a
  // deployed ONNX MLP with the trainer (train) and the MLP graph reader/writer (optimize). Pure.
  learn: ["onnx", "optimize", "train", "drift", "fairness", "stats", "errors"],
  // The dashboard runs in the browser: it talks to the server over HTTP only, never imports its code.
  ui: [],
  // The client SDK ships alone (`tiktoktoe/client`): it imports nothing from the rest of the project.
  client: [],
};
/**
 * Layers a layer may import types from (`import type`, erased at compile time) without depending on
 * it at run time: the dashboard and the client SDK share the contract's types, never its code.
 */
const typeOnlyLayers: Record<string, readonly string[]> = {
  ui: ["contract"],
  client: ["contract"],
  // Documents (issue #17) are built from the API's answers and the optimizer's report JSON: types only.
  report: ["contract", "optimizer"],
  cli: ["contract"],
};

const pureLayers = new Set([
  "contract",
  "stats",
  "sketches",
  "metrics",
  "drift",
  "monitor",
  "alerts",
  "fairness",
  "explain",
  "optimize",
  "train",
  "ui",
  "deploy",
  "learn",
  "report",
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
    for (const match of text.matchAll(/^\s*(?:import|export)(\s+type\b)?[^"']*?from\s+["']([^"']+)["']/gm)) {
      const typeOnly = match[1] !== undefined;
      const target = match[2]!;
      if (target.startsWith("node:")) {
        if (pureLayers.has(layer))
          problems.push(`${relative(src, file)}: the pure ${layer} layer imports ${target}`);
        continue;
      }
      if (!target.startsWith(".")) continue;
      const other = relative(src, resolve(dirname(file), target)).split("/")[0]!;
      if (other === layer || layers[layer]!.includes(other)) continue;
      if (typeOnly && (typeOnlyLayers[layer] ?? []).includes(other)) continue;
      problems.push(
        `${relative(src, file)}: ${layer} must not import ${other}${(typeOnlyLayers[layer] ?? []).includes(other) ? " at run time (use import type)" : ""}`,
      );
    }
  }
  assert.deepEqual(problems, []);
});

/** A shipped source's runtime imports (type-only imports load nothing): relative files and packages. */
function runtimeImports(file: string): { files: string[]; packages: string[] } {
  const text = readFileSync(file, "utf8");
  const files: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(/^\s*(import|export)(\s+type\b)?[^"';]*?from\s+["']([^"']+)["']/gm)) {
    if (match[2] !== undefined) continue;
    const target = match[3]!;
    if (target.startsWith(".")) files.push(resolve(dirname(file), target).replace(/\.js$/, ".ts"));
    else packages.push(target);
  }
  for (const match of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) {
    const target = match[1]!;
    if (target.startsWith(".")) files.push(resolve(dirname(file), target).replace(/\.js$/, ".ts"));
    else packages.push(target);
  }
  return { files, packages };
}

/** The package a bare import names (`uplot/dist/x.css` → `uplot`, `@scope/p/x` → `@scope/p`). */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** Packages a pure layer may load (computation only, no I/O). */
const purePackages: Record<string, readonly string[]> = { ui: ["uplot"], contract: ["zod"] };

test("the pure core loads no I/O module and no third-party package, also through other layers' barrels", () => {
  const src = repoPath("src");
  const problems: string[] = [];
  const cache = new Map<string, ReturnType<typeof runtimeImports>>();
  const importsOf = (file: string) => {
    let found = cache.get(file);
    if (found === undefined) {
      found = runtimeImports(file);
      cache.set(file, found);
    }
    return found;
  };
  for (const file of sources(src)) {
    const layer = relative(src, file).split("/")[0]!;
    if (!pureLayers.has(layer)) continue;
    // Depth-first over what loading this file loads, keeping the path to report the chain.
    const seen = new Set<string>([file]);
    const stack: Array<{ file: string; path: string[] }> = [{ file, path: [relative(src, file)] }];
    while (stack.length > 0) {
      const { file: current, path } = stack.pop()!;
      const { files, packages } = importsOf(current);
      for (const name of packages)
        if (name.startsWith("node:") || !(purePackages[layer] ?? []).includes(packageOf(name))) {
          problems.push(`${[...path, name].join(" → ")}`);
        }
      for (const next of files)
        if (!seen.has(next)) {
          seen.add(next);
          stack.push({ file: next, path: [...path, relative(src, next)] });
        }
    }
  }
  // One chain per offending module is enough to find the import to change.
  const firstPerModule = new Map<string, string>();
  for (const chain of problems) {
    const module = chain.split(" → ").at(-1)!;
    const start = chain.split(" → ")[0]!.split("/")[0]!;
    if (!firstPerModule.has(`${start}:${module}`)) firstPerModule.set(`${start}:${module}`, chain);
  }
  assert.deepEqual([...firstPerModule.values()], []);
});

test("the client SDK loads nothing but its own files and Node's built-ins: no package, no other layer", () => {
  const src = repoPath("src");
  const problems: string[] = [];
  const seen = new Set<string>();
  const stack = sources(join(src, "client"));
  for (const file of stack) seen.add(file);
  while (stack.length > 0) {
    const file = stack.pop()!;
    const { files, packages } = runtimeImports(file);
    for (const name of packages)
      if (!name.startsWith("node:")) problems.push(`${relative(src, file)} → ${name}`);
    for (const next of files) {
      if (relative(src, next).split("/")[0] !== "client")
        problems.push(`${relative(src, file)} → ${relative(src, next)}`);
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  assert.deepEqual(problems, []);
});

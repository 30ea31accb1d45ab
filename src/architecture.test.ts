import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { repoPath } from "./testing/paths.js";

/**
 * The layering of docs/architecture.md, checked on the sources: the pure core (stats, drift) does no
 * I/O and knows nothing of the layers above it; layers import each other only downward.
 */
const layers: Record<string, readonly string[]> = {
  errors: [],
  stats: [],
  drift: ["stats", "errors"],
  data: ["errors"],
  report: ["drift", "stats", "errors"],
  parallel: ["drift", "data", "stats", "errors"],
  cli: ["drift", "data", "report", "parallel", "stats", "errors"],
  testing: [],
};
const pureLayers = new Set(["stats", "drift"]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

test("layers import only downward, and the pure core does no I/O", () => {
  const src = repoPath("src");
  const problems: string[] = [];
  for (const file of sources(src)) {
    const [layer] = relative(src, file).split("/");
    if (layer === undefined || !(layer in layers)) continue;
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/^\s*(?:import|export)[^"']*?from\s+["']([^"']+)["']/gm)) {
      const target = match[1]!;
      if (target.startsWith("node:")) {
        if (pureLayers.has(layer))
          problems.push(`${relative(src, file)}: the pure ${layer} layer imports ${target}`);
        continue;
      }
      if (!target.startsWith("../")) continue;
      const other = target.split("/")[1]!;
      if (other !== layer && !layers[layer]!.includes(other))
        problems.push(`${relative(src, file)}: ${layer} must not import ${other}`);
    }
  }
  assert.deepEqual(problems, []);
});

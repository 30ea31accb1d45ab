import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { repoPath } from "./testing/paths.js";

test("every public subpath of the package resolves by name and exports something", async () => {
  const pkg = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as {
    name: string;
    exports: Record<string, unknown>;
  };
  const subpaths = Object.keys(pkg.exports).filter((k) => k !== "./package.json");
  assert.ok(subpaths.length > 10, "a subpath per public layer");
  for (const subpath of subpaths) {
    const specifier = subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const module = (await import(specifier)) as Record<string, unknown>;
    assert.ok(Object.keys(module).length > 0, `${specifier} exports nothing`);
  }
});

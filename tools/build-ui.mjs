// Builds the dashboard (src/ui) into dist/ui: one minified ES module and one stylesheet, named by
// their content hash so the server can cache them for a year, and a manifest the server reads.
// esbuild bundles uPlot into the script, so nothing is fetched from elsewhere at run time.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "ui");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [join(root, "src", "ui", "main.ts")],
  bundle: true,
  format: "esm",
  target: ["chrome110", "firefox115", "safari16"],
  minify: true,
  sourcemap: false,
  write: false,
  outdir: out,
  legalComments: "inline",
  // uPlot's MIT licence asks for its notice in copies; the bundle keeps it.
  banner: {
    js: "/*! Bundles uPlot (c) 2022 Leon Sorokin, MIT License, https://github.com/leeoniya/uPlot */",
  },
  logLevel: "warning",
});

const manifest = { scripts: [], styles: [], other: [] };
for (const file of result.outputFiles) {
  const name = file.path.slice(out.length + 1);
  const dot = name.indexOf(".");
  const hash = createHash("sha256").update(file.contents).digest("hex").slice(0, 10);
  const hashed = `${name.slice(0, dot)}-${hash}${name.slice(dot)}`;
  writeFileSync(join(out, hashed), file.contents);
  if (hashed.endsWith(".js")) manifest.scripts.push(hashed);
  else if (hashed.endsWith(".css")) manifest.styles.push(hashed);
  else manifest.other.push(hashed);
}
writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
const sizes = readdirSync(out).map((f) => f);
console.log(`dashboard: dist/ui/{${sizes.join(", ")}}`);

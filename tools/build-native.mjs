// Builds the optional native drift kernels (native/ → native/build/Release/tiktoktoe_native.node)
// with node-gyp, as the last step of `npm run build`. They are optional: when the build cannot run
// (no C compiler, no node-gyp, no Node headers) this prints one line and exits 0, and the JavaScript
// kernels are used instead, with the same results (docs/decisions.md, "Drift engine").
// TIKTOKTOE_NATIVE=0 skips the build (and the loading) altogether.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const native = join(root, "native");
const addon = join(native, "build", "Release", "tiktoktoe_native.node");
const sources = [
  "addon.c",
  "kernels.c",
  "kernels.h",
  "csv.c",
  "csv.h",
  "learn.c",
  "learn.h",
  "ndjson.c",
  "ndjson.h",
  "binding.gyp",
].map((f) => join(native, f));

if (process.env.TIKTOKTOE_NATIVE === "0") {
  console.log("native kernels: skipped (TIKTOKTOE_NATIVE=0); the JavaScript kernels will be used");
  process.exit(0);
}
// Up to date: nothing to do (node-gyp's configure step alone takes about a second).
if (existsSync(addon)) {
  const built = statSync(addon).mtimeMs;
  if (sources.every((f) => statSync(f).mtimeMs <= built)) process.exit(0);
}

// npm runs its scripts with npm_config_node_gyp set to the node-gyp it bundles; outside npm, look for
// that copy next to this Node, then for one on the PATH.
const candidates = [
  process.env.npm_config_node_gyp,
  join(
    dirname(process.execPath),
    "..",
    "lib",
    "node_modules",
    "npm",
    "node_modules",
    "node-gyp",
    "bin",
    "node-gyp.js",
  ),
].filter((p) => p !== undefined && p !== "" && existsSync(p));
const command = candidates.length > 0 ? process.execPath : "node-gyp";
const args = candidates.length > 0 ? [candidates[0]] : [];
// Node's own headers when they are installed with it (a distribution's nodejs package, or an npm
// config `nodedir`): then node-gyp needs no download, so the build works offline.
const nodedir =
  process.env.npm_config_nodedir ||
  (existsSync(join(dirname(process.execPath), "..", "include", "node", "node_api.h"))
    ? join(dirname(process.execPath), "..")
    : undefined);
args.push("rebuild", "--directory", native, ...(nodedir === undefined ? [] : [`--nodedir=${nodedir}`]));

const run = spawnSync(command, args, { cwd: native, encoding: "utf8", timeout: 300_000 });
if (run.status === 0 && existsSync(addon)) process.exit(0);
const lines = `${run.error?.message ?? ""}\n${run.stderr ?? ""}\n${run.stdout ?? ""}`
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => /error|not found|ENOENT/i.test(line));
console.log(
  `native kernels: not built (${lines[0] ?? `node-gyp exited with ${run.status}`}); the JavaScript kernels will be used`,
);

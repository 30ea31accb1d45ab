import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { repoPath } from "../testing/paths.js";

// Start-up cost is the modules a command loads before it looks at its arguments. Counting them is a
// stable check where a wall-clock limit would flake on a loaded machine (docs/benchmarks.md has times).
const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-startup-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const hooks = join(dir, "hooks.mjs");
writeFileSync(
  hooks,
  `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  if (!url.startsWith("node:")) appendFileSync(process.env.TIKTOKTOE_TRACE, url + "\\n");
  return next(url, context);
}
`,
);
const register = join(dir, "register.mjs");
writeFileSync(
  register,
  `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
);

/** The modules (ES module URLs, every thread) that `tiktoktoe ...args` loads. */
function modulesLoaded(name: string, args: readonly string[]): string[] {
  const trace = join(dir, `${name}.txt`);
  writeFileSync(trace, "");
  execFileSync(process.execPath, ["--import", register, repoPath("dist", "cli", "bin.js"), ...args], {
    env: { ...process.env, TIKTOKTOE_TRACE: trace },
    stdio: "ignore",
  });
  return readFileSync(trace, "utf8").split("\n").filter(Boolean);
}

test("tiktoktoe --help loads no command's code and no dependency", () => {
  const loaded = modulesLoaded("help", ["--help"]);
  assert.ok(loaded.length <= 12, `--help loaded ${loaded.length} modules:\n${loaded.join("\n")}`);
  assert.deepEqual(
    loaded.filter((url) => url.includes("node_modules") || /\/dist\/(server|drift|data|config)\//.test(url)),
    [],
  );
});

test("tiktoktoe drift loads neither the server, alerting, zod, nodemailer nor yaml", () => {
  const loaded = modulesLoaded("drift", [
    "drift",
    "-r",
    repoPath("data", "bike", "bike_2011.csv"),
    "-c",
    repoPath("data", "bike", "bike_2012.csv"),
    "--format",
    "json",
    "--quiet",
    "--fail-on",
    "never",
  ]);
  assert.ok(loaded.some((url) => url.endsWith("/dist/cli/drift-command.js")));
  assert.deepEqual(
    loaded.filter((url) =>
      /node_modules\/(zod|nodemailer|yaml)\/|\/dist\/(server|notify|alerts|config|store)\//.test(url),
    ),
    [],
  );
});

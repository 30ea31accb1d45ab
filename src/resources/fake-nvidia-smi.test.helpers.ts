import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { repoPath } from "../testing/paths.js";

/**
 * The path of a committed `nvidia-smi` fixture (see fixtures/README.md).
 *
 * @example
 * ```ts
 * readFileSync(nvidiaSmiFixture("nvidia-smi-h100-load.csv"), "utf8");
 * ```
 */
export function nvidiaSmiFixture(name: string): string {
  return repoPath("src", "resources", "fixtures", name);
}

/**
 * A directory holding an executable `nvidia-smi` shell script, and a `PATH` with that directory
 * first, for the GPU collector's `env` option: the real `execFile` lookup and process run.
 *
 * @example
 * ```ts
 * const fake = fakeNvidiaSmi(`cat '${nvidiaSmiFixture("nvidia-smi-h100-load.csv")}'`);
 * const gpu = new GpuCollector({ env: { PATH: fake.path } });
 * fake.remove();
 * ```
 */
export function fakeNvidiaSmi(body: string): { dir: string; path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-fake-smi-"));
  const script = join(dir, "nvidia-smi");
  writeFileSync(script, `#!/bin/sh\n${body}\n`);
  chmodSync(script, 0o755);
  return {
    dir,
    path: [dir, process.env.PATH ?? "/usr/bin:/bin"].join(delimiter),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A `PATH` of one empty directory: no `nvidia-smi` on it.
 *
 * @example
 * ```ts
 * const empty = emptyPath();
 * new GpuCollector({ env: { PATH: empty.path } });
 * ```
 */
export function emptyPath(): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-no-smi-"));
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

import { execFile } from "node:child_process";
import { repoPath } from "./paths.js";

/** What a CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI (`dist/cli/bin.js`) as a user would, in a child process.
 *
 * @example
 * ```ts
 * const run = await runCli(["drift", "--help"]);
 * ```
 */
export function runCli(args: readonly string[], options: { readonly cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [repoPath("dist", "cli", "bin.js"), ...args],
      { cwd: options.cwd ?? repoPath(), maxBuffer: 64 * 2 ** 20, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

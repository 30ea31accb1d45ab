import { type ChildProcess, spawn } from "node:child_process";
import { repoPath } from "./paths.js";

/**
 * Starts the built `tiktoktoe serve` as a child process (as an operator would) and resolves with its
 * URL once it says it is listening. For crash tests and benchmarks that need a separate process.
 *
 * @example
 * ```ts
 * const { child, url } = await spawnServe(["--data-dir", dir, "--port", "0", "--clock", "event"]);
 * // { stderr: "pipe" } to read what it logs: child.stderr.on("data", …)
 * ```
 */
export function spawnServe(
  args: readonly string[],
  options: { readonly stderr?: "inherit" | "pipe" } = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [repoPath("dist", "cli", "bin.js"), "serve", ...args], {
    stdio: ["ignore", "pipe", options.stderr ?? "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once("exit", (code) => reject(new Error(`serve exited with ${code} before listening`)));
  });
}

/**
 * Resolves when the child has exited (at once if it already has).
 *
 * @example
 * ```ts
 * child.kill("SIGKILL");
 * await exited(child);
 * ```
 */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

import { fileURLToPath } from "node:url";

/**
 * Absolute path of a file in the repository, for tests and benchmarks. Compiled code lives in
 * `dist/testing/`, two levels below the root, exactly as the source lives in `src/testing/`.
 *
 * @example
 * ```ts
 * const golden = repoPath("golden", "drift_scipy.json.gz");
 * ```
 */
export function repoPath(...segments: string[]): string {
  return fileURLToPath(new URL(`../../${segments.join("/")}`, import.meta.url));
}

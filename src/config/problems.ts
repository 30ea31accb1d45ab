/**
 * Configuration problems: each one with its path, its place in the file, what is wrong and what to do;
 * and the one error that carries all of them to a command line or an HTTP client.
 */
import { TikTokToeError } from "../errors/index.js";

/**
 * Why a problem is reported: the text is not YAML/JSON (`syntax`), a key appears twice
 * (`duplicate_key`), a key is not known (`unknown_key`), a value has the wrong type or is empty
 * (`type`), a value is out of range or not one of the choices (`value`), or two keys disagree
 * (`conflict`).
 *
 * @example
 * ```ts
 * const kind: ConfigProblemKind = "unknown_key";
 * ```
 */
export type ConfigProblemKind = "syntax" | "duplicate_key" | "unknown_key" | "type" | "value" | "conflict";

/**
 * One thing wrong with a configuration.
 *
 * @example
 * ```ts
 * const problem: ConfigProblem = {
 *   kind: "value", path: "metrics.drift.significance", line: 12, column: 19,
 *   message: "must be less than 1, got 1.5",
 *   hint: "give the significance level α, between 0 and 1 (exclusive), e.g. 0.05",
 * };
 * ```
 */
export interface ConfigProblem {
  readonly kind: ConfigProblemKind;
  /** Dotted path of the key, e.g. `models.bike.metrics.latency.percentile`; `""` for the whole file. */
  readonly path: string;
  /** 1-based line in the file, where known (not for a value given as an object). */
  readonly line?: number;
  /** 1-based column in the file, where known. */
  readonly column?: number;
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
  /** For a near miss, the key or value probably meant (`significance` for `signficance`). */
  readonly suggestion?: string;
}

/**
 * Writes a path as a user would type it: `models.bike.monitor.window`, with a key that is not a plain
 * name quoted (`models["bike v2"]`) and list indices in brackets.
 *
 * @example
 * ```ts
 * formatPath(["models", "bike", "monitor", "window"]); // "models.bike.monitor.window"
 * formatPath(["models", "bike v2"]); // 'models["bike v2"]'
 * ```
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else {
      const key = String(segment);
      text += /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)
        ? text === ""
          ? key
          : `.${key}`
        : `[${JSON.stringify(key)}]`;
    }
  }
  return text;
}

/**
 * One problem as one line: `4:11 metrics.drift.significance: must be less than 1, got 1.5`.
 *
 * @example
 * ```ts
 * describeProblem({ kind: "value", path: "monitor.window", line: 2, column: 11, message: "must be longer than zero", hint: "…" });
 * // "2:11 monitor.window: must be longer than zero"
 * ```
 */
export function describeProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? "" : `${problem.line}:${problem.column ?? 1} `;
  return `${where}${problem.path === "" ? "(top level)" : problem.path}: ${problem.message}`;
}

/**
 * The one error for an invalid configuration (code `CONFIG_INVALID`, HTTP 400): its message lists
 * every problem with its line, path and hint, so one run shows everything to fix. With a single
 * problem the error's location and hint are that problem's own.
 *
 * @example
 * ```ts
 * const result = parseConfig(text, { format: "yaml" });
 * if (!result.ok) throw configError(result.problems, "monitor.yaml");
 * ```
 */
export function configError(problems: readonly ConfigProblem[], file?: string): TikTokToeError {
  const files = file === undefined ? {} : { file };
  const [first] = problems;
  if (first === undefined)
    return new TikTokToeError("INTERNAL", "configError called without problems", files);
  if (problems.length === 1) {
    return new TikTokToeError("CONFIG_INVALID", `invalid configuration: ${describeProblem(first)}`, {
      ...files,
      ...(first.line === undefined ? {} : { line: first.line }),
      ...(first.path === "" ? {} : { path: first.path }),
      hint: first.hint,
    });
  }
  const lines = problems.map((problem) => `  ${describeProblem(problem)}\n    → ${problem.hint}`);
  return new TikTokToeError(
    "CONFIG_INVALID",
    `invalid configuration, ${problems.length} problems:\n${lines.join("\n")}`,
    {
      ...files,
      hint: "fix each problem listed (line:column path: what is wrong → what to do); docs/configuration.md lists every key",
    },
  );
}

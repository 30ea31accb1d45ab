/**
 * Parsing and validating a configuration: text or an object in, the resolved configuration or every
 * problem out. Pure: no file system, no clock (see load.ts for reading a file).
 */
import type * as z from "zod";
import { suggest } from "../errors/index.js";
import type { ConfigProblem, ConfigProblemKind } from "./problems.js";
import { formatPath } from "./problems.js";
import { resolveQueue } from "./queue.js";
import { type MonitorConfig, resolveLayers } from "./resolve.js";
import { resolveResources } from "./resources.js";
import {
  configFileSchema,
  hintAt,
  keyHomes,
  knownKeys,
  modelNamePattern,
  type SettingsOverride,
} from "./schema.js";
import { type ConfigFormat, type Locate, readSource } from "./source.js";
import { resolveStore } from "./store.js";

/**
 * The outcome of parsing: the configuration, or every problem found (never just the first).
 *
 * @example
 * ```ts
 * const result: ConfigResult = parseConfig(text);
 * if (!result.ok) for (const p of result.problems) console.log(p.line, p.path, p.message);
 * ```
 */
export type ConfigResult =
  | { readonly ok: true; readonly config: MonitorConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * Options of {@link parseConfig}.
 *
 * @example
 * ```ts
 * parseConfig('{ "monitor": { "window": "1d" } }', { format: "json" });
 * ```
 */
export interface ParseConfigOptions {
  /** `yaml` (the default; also reads most JSON) or `json` (strict JSON). */
  readonly format?: ConfigFormat;
}

/**
 * The format a configuration file's extension says it has: `.yaml`/`.yml` → `yaml`, `.json` → `json`,
 * anything else `undefined`.
 *
 * @example
 * ```ts
 * configFormatOf("/etc/tiktoktoe/monitor.yml"); // "yaml"
 * configFormatOf("monitor.toml"); // undefined
 * ```
 */
export function configFormatOf(file: string): ConfigFormat | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  if (lower.endsWith(".json")) return "json";
  return undefined;
}

/**
 * Parses and validates configuration text. Every problem is reported at once, each with its path,
 * line and column, a message and a hint: syntax errors (then nothing else can be checked), duplicate
 * and unknown keys (with a "did you mean"), wrong types, values out of range, and — once every key
 * is valid on its own — conflicts between keys, for the top level and for every model's merged
 * settings. An empty file is valid: every default.
 *
 * @example
 * ```ts
 * const result = parseConfig("metrics:\n  drift: { significance: 0.01, correction: holm }\n");
 * if (result.ok) console.log(result.config.settings.metrics.drift.significance); // 0.01
 * else throw configError(result.problems, "monitor.yaml");
 * ```
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): ConfigResult {
  const source = readSource(text, options.format ?? "yaml");
  if (source.value === undefined) return { ok: false, problems: source.problems };
  return check(source.value, source.locate, source.problems);
}

/**
 * Validates a configuration given as an object (e.g. a JSON body already parsed): the same checks
 * as {@link parseConfig}, without lines and columns. Durations may be strings or milliseconds.
 *
 * @example
 * ```ts
 * const result = validateConfig({ monitor: { window: "1d", min_samples: 100 } });
 * if (result.ok) console.log(result.config.settings.monitor.window); // 86400000
 * ```
 */
export function validateConfig(value: unknown): ConfigResult {
  return check(value ?? {}, () => undefined, []);
}

function check(value: unknown, locate: Locate, earlier: readonly ConfigProblem[]): ConfigResult {
  const problems = [...earlier];
  const parsed = configFileSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...fromIssue(issue, value, locate));
    return { ok: false, problems: sorted(problems) };
  }
  const {
    models = {},
    alerting,
    resources: resourcesWritten,
    store: storeWritten,
    queue: queueWritten,
    ...global
  } = parsed.data;
  const top = resolveLayers([global]);
  for (const issue of top.issues)
    problems.push(conflict([], issue.path, issue.message, issue.hint, value, locate));
  const resources = resolveResources(resourcesWritten);
  for (const issue of resources.issues)
    problems.push(conflict(["resources"], issue.path, issue.message, issue.hint, value, locate));
  for (const [name, override] of Object.entries(models)) {
    // Problems blamed on the top level were reported above, once; a model reports only its own.
    for (const issue of resolveLayers([global, override]).issues) {
      if (issue.layer === 1)
        problems.push(conflict(["models", name], issue.path, issue.message, issue.hint, value, locate));
    }
  }
  if (problems.length > 0) return { ok: false, problems: sorted(problems) };
  const config: MonitorConfig = {
    settings: top.settings,
    global,
    models: models as Record<string, SettingsOverride>,
    resources: resources.settings,
    store: resolveStore(storeWritten),
    queue: resolveQueue(queueWritten),
    ...(alerting === undefined ? {} : { alerting }),
  };
  return { ok: true, config };
}

function conflict(
  prefix: readonly string[],
  relative: readonly string[],
  message: string,
  hint: string,
  raw: unknown,
  locate: Locate,
): ConfigProblem {
  const path = spelled(raw, [...prefix, ...relative]);
  return withPosition({ kind: "conflict", path: formatPath(path), message, hint }, locate(path, "value"));
}

/**
 * The path as the user wrote it: `quality` is the schema's name for what the seed (and perhaps the
 * file) calls `accuracy`.
 */
function spelled(raw: unknown, path: readonly string[]): string[] {
  const out: string[] = [];
  let current = raw;
  for (const segment of path) {
    let key = segment;
    if (isRecord(current) && !Object.hasOwn(current, key) && key === "quality" && out.at(-1) === "metrics") {
      if (Object.hasOwn(current, "accuracy")) key = "accuracy";
    }
    out.push(key);
    current = isRecord(current) ? current[key] : undefined;
  }
  return out;
}

function fromIssue(issue: z.core.$ZodIssue, raw: unknown, locate: Locate): ConfigProblem[] {
  const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
  const got = valueAt(raw, path);
  const at = (kind: ConfigProblemKind, message: string, hint: string, extra: { suggestion?: string } = {}) =>
    withPosition({ kind, path: formatPath(path), message, hint, ...extra }, locate(path, "value"));
  const keys = knownKeys(path);
  const hint =
    hintAt(path) ??
    (keys.length > 0
      ? `give a mapping with any of the keys ${keys.join(", ")}`
      : "see docs/configuration.md for this key");

  if (got === null && (issue.code === "invalid_type" || issue.code === "custom")) {
    // `window:` with nothing after it: YAML reads null, which is never a valid value here.
    return [at("type", "has no value", `${hint}; or remove the key to use the default`)];
  }
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => unknownKey(path, key, locate));
    case "invalid_type": {
      if (got === undefined) {
        return [at("type", "has no value", `${hint}; or remove the key to use the default`)];
      }
      const quoted =
        issue.expected === "number" &&
        typeof got === "string" &&
        got.trim() !== "" &&
        Number.isFinite(Number(got));
      return [
        at(
          "type",
          `expected ${expectedText(issue.expected)}, got ${describe(got)}`,
          quoted ? `write the number without quotes: ${got.trim()}` : hint,
        ),
      ];
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const side =
        issue.code === "too_small"
          ? issue.inclusive
            ? "at least"
            : "greater than"
          : issue.inclusive
            ? "at most"
            : "less than";
      const kind: ConfigProblemKind = typeof got === "number" ? "value" : "type";
      return [at(kind, `must be ${side} ${String(bound)}, got ${describe(got)}`, hint)];
    }
    case "invalid_value": {
      const values = issue.values.map((v) => String(v));
      const suggestion = typeof got === "string" ? suggest(got, values) : undefined;
      const message =
        values.length === 1
          ? `must be ${describe(issue.values[0])}, got ${describe(got)}`
          : `${describe(got)} is not one of ${values.join(", ")}${suggestion === undefined ? "" : `; did you mean ${JSON.stringify(suggestion)}?`}`;
      return [at("value", message, hint, suggestion === undefined ? {} : { suggestion })];
    }
    case "invalid_key": {
      const key = String(path.at(-1));
      return [
        withPosition(
          {
            kind: "value",
            path: formatPath(path),
            message: `${JSON.stringify(key)} is not a valid model name`,
            hint: `name models with letters, digits, '.', '_' and '-', starting with a letter or digit (${modelNamePattern.source})`,
          },
          locate(path, "key"),
        ),
      ];
    }
    case "custom": {
      const params = (issue.params ?? {}) as { kind?: ConfigProblemKind; hint?: string };
      return [at(params.kind ?? "value", issue.message, params.hint ?? hint)];
    }
    default:
      return [at("value", issue.message, hint)];
  }
}

function unknownKey(path: readonly PropertyKey[], key: string, locate: Locate): ConfigProblem {
  const known = knownKeys(path);
  const keyPath = [...path, key];
  const base = { kind: "unknown_key" as const, path: formatPath(keyPath) };
  const position = locate(keyPath, "key");
  const near = suggest(key, known);
  if (near !== undefined) {
    return withPosition(
      {
        ...base,
        message: `unknown key ${JSON.stringify(key)}; did you mean ${JSON.stringify(near)}?`,
        hint: `rename it to ${near}`,
        suggestion: near,
      },
      position,
    );
  }
  // The right key at the wrong level: `significance` directly under `metrics`.
  const sectionRoot = path[0] === "models" && path.length >= 2 ? path.slice(0, 2) : [];
  const relative = path.slice(sectionRoot.length).map(String);
  const home = keyHomes()
    .get(key)
    ?.find((candidate) => candidate.join(".") !== relative.join("."));
  if (home !== undefined) {
    const where = formatPath([...sectionRoot, ...home]);
    return withPosition(
      {
        ...base,
        message: `${JSON.stringify(key)} does not belong here; it belongs in ${where === "" ? "the top level" : where}`,
        hint: `move it to ${formatPath([...sectionRoot, ...home, key])}`,
        suggestion: formatPath([...sectionRoot, ...home, key]),
      },
      position,
    );
  }
  const what =
    path.length === 0
      ? "the sections are"
      : path.length === 2 && path[0] === "models"
        ? "a model's override may hold"
        : "the keys here are";
  return withPosition(
    {
      ...base,
      message: `unknown key ${JSON.stringify(key)}`,
      hint: `remove it; ${what} ${known.join(", ")}`,
    },
    position,
  );
}

function withPosition(
  problem: ConfigProblem,
  position: { line: number; column: number } | undefined,
): ConfigProblem {
  return position === undefined ? problem : { ...problem, line: position.line, column: position.column };
}

/** In file order; problems without a position (objects given directly) keep their order, last. */
function sorted(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort(
      (a, b) =>
        (a.problem.line ?? Number.POSITIVE_INFINITY) - (b.problem.line ?? Number.POSITIVE_INFINITY) ||
        (a.problem.column ?? 0) - (b.problem.column ?? 0) ||
        a.index - b.index,
    )
    .map(({ problem }) => problem);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (isRecord(current) && Object.hasOwn(current, String(segment))) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectedText(expected: string): string {
  switch (expected) {
    case "object":
      return "a mapping";
    case "int":
      return "a whole number";
    case "number":
      return "a number";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    default:
      return expected;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/**
 * The schema of the configuration file: which keys exist, what each accepts, and how values are
 * normalised (durations to milliseconds, the seed's `ks_test` and `accuracy:` to the engine's terms).
 *
 * Every key is optional and the schema applies no defaults: the same section schema validates the
 * file's top level and each `models.<name>` override, and {@link resolveLayers} lays defaults ← file ←
 * override. (Defaults applied by the schema would fill an override's missing keys with defaults
 * instead of inheriting the file's values.) Each leaf's description is the hint a problem shows.
 */
import * as z from "zod";
import { driftMethods } from "../drift/options.js";
import { corrections } from "../stats/multiple-testing.js";
import { parseDuration } from "./duration.js";
import { queueSection } from "./queue.js";
import { resourcesSection } from "./resources.js";
import { qualityMetrics, reportingFormats, type Settings } from "./settings.js";
import { storeSection } from "./store.js";

/** Why a problem is reported; `params.kind` of a custom issue. */
type IssueKind = "type" | "value" | "conflict";

function duration(hint: string, options: { readonly allowZero: boolean }) {
  return z
    .unknown()
    .transform((value, ctx): number => {
      const parsed = parseDuration(value);
      if (!parsed.ok) {
        const kind: IssueKind = typeof value === "string" || typeof value === "number" ? "value" : "type";
        ctx.addIssue({ code: "custom", message: parsed.message, input: value, params: { kind } });
        return z.NEVER;
      }
      if (parsed.ms === 0 && !options.allowZero) {
        ctx.addIssue({
          code: "custom",
          message: "must be longer than zero",
          input: value,
          params: { kind: "value" },
        });
        return z.NEVER;
      }
      return parsed.ms;
    })
    .describe(hint);
}

const durationUnitsHint = "units ms, s, m, h, d, w; or a number of milliseconds";

const monitorSection = z.strictObject({
  window: duration(
    `give the window length as a duration longer than zero, e.g. 1h or 1d (${durationUnitsHint})`,
    {
      allowZero: false,
    },
  ).optional(),
  lateness: duration(
    `give how long late events are accepted, e.g. 1h, or 0 for none (${durationUnitsHint})`,
    {
      allowZero: true,
    },
  ).optional(),
  min_samples: z
    .int()
    .gte(1)
    .describe("give the fewest events a window needs for a verdict, a whole number ≥ 1, e.g. 30")
    .optional(),
  max_clock_jump: duration(
    `give how far ahead of a model's newest event time an event may be with --clock event, e.g. 7d (${durationUnitsHint})`,
    { allowZero: false },
  ).optional(),
});

const qualityWindow = duration(
  `give the span the metric is computed over, a whole multiple of monitor.window, e.g. 1h or 1d (${durationUnitsHint})`,
  { allowZero: false },
).optional();

// The metric's range is checked once the metric is known (resolve.ts): R² may be negative, errors
// have no upper bound, so the schema only asks for a finite number here.
const qualityThreshold = z
  .number()
  .describe(
    "give the metric's alert threshold, e.g. 0.95 for accuracy or 60 for an MAE in the target's units",
  )
  .optional();

const qualitySection = z.strictObject({
  metric: z
    .enum(qualityMetrics)
    .describe(`give one of ${qualityMetrics.join(", ")}, with its threshold beside it`)
    .optional(),
  threshold: qualityThreshold,
  direction: z
    .enum(["below", "above"])
    .describe(
      "leave direction out (it follows from the metric) or give the metric's own: below when higher is better, above for errors",
    )
    .optional(),
  type: z
    .enum(["classification", "regression"])
    .describe("leave type out (it follows from the metric) or give the metric's own kind")
    .optional(),
  window: qualityWindow,
});

// The seed's spelling: `accuracy: { type: classification, threshold: 0.95, window: 1h }`.
const accuracySection = z.strictObject({
  type: z
    .literal("classification")
    .describe("accuracy is a classification metric: write type: classification or leave it out")
    .optional(),
  threshold: z
    .number()
    .gte(0)
    .lte(1)
    .describe("give the accuracy below which to alert, between 0 and 1, e.g. 0.95")
    .optional(),
  window: qualityWindow,
});

const latencySection = z
  .strictObject({
    type: z
      .literal("timing")
      .describe("latency is a timing metric: write type: timing or leave it out")
      .optional(),
    threshold: duration(`give the latency above which to alert, e.g. 100ms (${durationUnitsHint})`, {
      allowZero: false,
    }).optional(),
    percentile: z
      .number()
      .gt(0)
      .lte(100)
      .describe("give the latency percentile to watch, above 0 and at most 100, e.g. 99")
      .optional(),
  })
  .transform(({ type: _type, ...rest }) => rest);

const ksTestAlias = "ks_test";

const driftSection = z
  .strictObject({
    type: z
      .literal("distribution")
      .describe("drift compares distributions: write type: distribution or leave it out")
      .optional(),
    method: z
      .enum([...driftMethods, ksTestAlias])
      .transform((method) => (method === ksTestAlias ? "auto" : method))
      .describe(`give one of ${driftMethods.join(", ")} or ks_test (the seed's name for auto)`)
      .optional(),
    significance: z
      .number()
      .gt(0)
      .lt(1)
      .describe("give the significance level α, between 0 and 1 (exclusive), e.g. 0.05")
      .optional(),
    correction: z
      .enum(corrections)
      .describe(`give one of ${corrections.join(", ")}`)
      .optional(),
    ks_mode: z
      .enum(["auto", "exact", "asymp"])
      .describe("give auto (scipy's rule), exact or asymp")
      .optional(),
    emergency_share: z
      .number()
      .gte(0)
      .lte(1)
      .describe("give the share of critical features that makes an emergency, between 0 and 1, e.g. 0.5")
      .optional(),
    categorical_max_distinct: z
      .int()
      .gte(0)
      .describe(
        "give a whole number ≥ 0, e.g. 5: numeric features with at most this many distinct values are categorical",
      )
      .optional(),
    wasserstein: z
      .strictObject({
        threshold: z
          .number()
          .gte(0)
          .describe(
            "give the normalised Wasserstein distance at or above which drift is critical, ≥ 0, e.g. 0.1",
          )
          .optional(),
        normalize: z
          .literal(true)
          .describe(
            "the engine compares Wasserstein distances normalised by the reference's standard deviation only (one threshold for every feature); write true or leave it out",
          )
          .optional(),
      })
      .optional(),
    jensenshannon: z
      .strictObject({
        threshold: z
          .number()
          .gte(0)
          .lte(Math.sqrt(Math.LN2))
          .describe(
            "give the Jensen–Shannon distance (natural log) at or above which drift is critical, between 0 and √ln 2 ≈ 0.8326, e.g. 0.1",
          )
          .optional(),
      })
      .optional(),
    psi: z
      .strictObject({
        warning: z
          .number()
          .gte(0)
          .describe("give the PSI at or above which drift is a warning, ≥ 0, e.g. 0.1")
          .optional(),
        critical: z
          .number()
          .gte(0)
          .describe("give the PSI at or above which drift is critical, ≥ 0, e.g. 0.25")
          .optional(),
      })
      .optional(),
  })
  .transform(({ type: _type, ...rest }) => rest);

const metricsSection = z
  .strictObject({
    accuracy: accuracySection.optional(),
    quality: qualitySection.optional(),
    latency: latencySection.optional(),
    drift: driftSection.optional(),
  })
  // One quality threshold per model: the seed's `accuracy:` is `quality:` with metric accuracy.
  .transform(
    ({ accuracy, quality, ...rest }, ctx): typeof rest & { quality?: z.output<typeof qualitySection> } => {
      if (accuracy !== undefined && quality !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["accuracy"],
          message: "give either accuracy or quality, not both: a model has one quality threshold",
          input: accuracy,
          params: {
            kind: "conflict",
            hint: "move the threshold into quality (quality: { metric: accuracy, threshold: 0.95 }) or drop quality",
          },
        });
        return z.NEVER;
      }
      if (accuracy !== undefined) return { ...rest, quality: { metric: "accuracy" as const, ...accuracy } };
      return quality === undefined ? rest : { ...rest, quality };
    },
  );

const reportingSection = z.strictObject({
  frequency: duration(`give how often a report is written, e.g. 1h (${durationUnitsHint})`, {
    allowZero: false,
  }).optional(),
  format: z
    .enum(reportingFormats)
    .describe(`give one of ${reportingFormats.join(", ")}`)
    .optional(),
  retention: duration(`give how long reports are kept, e.g. 30d (${durationUnitsHint})`, {
    allowZero: false,
  }).optional(),
});

/**
 * The sections a file and each model override may hold. A new section (the alerting issue's
 * `alerting:`) is one more entry here, plus its type in `Settings` and its defaults in
 * `defaultSettings`; the type check below fails until all three agree.
 */
const sectionShape = {
  monitor: monitorSection.optional(),
  metrics: metricsSection.optional(),
  reporting: reportingSection.optional(),
};

/**
 * Model names: the names the server's URLs carry (`/v1/models/{name}/…`), so letters, digits, `.`,
 * `_` and `-`, starting with a letter or digit, at most 128 characters.
 *
 * @example
 * ```ts
 * modelNamePattern.test("bike-v2"); // true
 * modelNamePattern.test("my model"); // false
 * ```
 */
export const modelNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * One set of settings as written: the file's top level, or one model's override. Every key optional,
 * durations in milliseconds, `accuracy:` folded into `quality:`, `ks_test` into `auto`.
 *
 * @example
 * ```ts
 * const parsed = settingsOverrideSchema.safeParse({ monitor: { window: "1w" } });
 * if (parsed.success) console.log(parsed.data.monitor?.window); // 604800000
 * ```
 */
export const settingsOverrideSchema = z.strictObject(sectionShape);

/**
 * The whole file: the sections plus `models:`, per-model overrides by model name.
 *
 * @example
 * ```ts
 * const parsed = configFileSchema.safeParse({ models: { bike: { monitor: { window: "1w" } } } });
 * ```
 */
export const configFileSchema = z
  .strictObject({
    ...sectionShape,
    models: z
      .record(
        z
          .string()
          .regex(modelNamePattern)
          .describe("model names use letters, digits, '.', '_' and '-', starting with a letter or digit"),
        settingsOverrideSchema,
      )
      .describe(
        "give a mapping from model name to that model's overrides, e.g. bike: { monitor: { window: 1w } }",
      )
      .optional(),
    // Global only; its own schema lives with the alerting code (server/alerting-config.ts), which
    // validates it at start-up with every problem under `alerting.…`.
    alerting: z.unknown().describe("see docs/alerting.md for the alerting section").optional(),
    // Global only: the machine's resources (src/config/resources.ts, docs/resources.md).
    resources: resourcesSection.optional(),
    // Global only: where the state lives (src/config/store.ts, docs/scale-out.md).
    store: storeSection.optional(),
    // Global only: the ingest log between replicas (src/config/queue.ts, docs/scale-out.md).
    queue: queueSection.optional(),
  })
  .describe(
    "the configuration is a mapping with the sections monitor, metrics, reporting, models, alerting, resources, store and queue",
  );

/**
 * One set of settings as written (see {@link settingsOverrideSchema}).
 *
 * @example
 * ```ts
 * const override: SettingsOverride = { monitor: { window: 604_800_000 } };
 * ```
 */
export type SettingsOverride = z.output<typeof settingsOverrideSchema>;

/**
 * The validated file (see {@link configFileSchema}).
 *
 * @example
 * ```ts
 * const file: ConfigFile = { metrics: { drift: { correction: "holm" } }, models: {} };
 * ```
 */
export type ConfigFile = z.output<typeof configFileSchema>;

// Compile-time guard that the schema and the Settings interface describe the same keys with the same
// value types: adding a key or section to only one of them fails the build here.
type Leaf = string | number | boolean;
type DeepKeys<T> = T extends Leaf
  ? never
  : { [K in keyof T & string]-?: K | `${K}.${DeepKeys<NonNullable<T[K]>>}` }[keyof T & string];
type Overlay<T> = {
  readonly [K in keyof T]?: T[K] extends Leaf ? T[K] | undefined : Overlay<T[K]> | undefined;
};
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const keysAgree: Same<DeepKeys<SettingsOverride>, DeepKeys<Settings>> = true;
const typesAgree: SettingsOverride extends Overlay<Settings> ? true : false = true;
void keysAgree;
void typesAgree;

/** The wrappers a schema sits in (optional, transforms) are unwrapped to reach the object inside. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let inner = unwrapOnce(current); inner !== current; inner = unwrapOnce(current)) current = inner;
  return current;
}

/**
 * The schema at a path of the file (record keys match any model name), or `undefined` where the path
 * leaves the schema. Used to explain problems: the leaf's hint, an object's known keys.
 *
 * @example
 * ```ts
 * schemaAt(["models", "bike", "metrics", "drift"]); // the drift section's schema
 * ```
 */
export function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType = configFileSchema;
  for (const segment of path) {
    const inner = unwrap(current);
    if (inner instanceof z.ZodObject) {
      const next = (inner.shape as Record<string, z.ZodType>)[String(segment)];
      if (next === undefined) return undefined;
      current = next;
    } else if (inner instanceof z.ZodRecord) current = inner.valueType as z.ZodType;
    else if (inner instanceof z.ZodArray && typeof segment === "number") current = inner.element as z.ZodType;
    else return undefined;
  }
  return current;
}

/**
 * The keys an object at `path` accepts, in schema order; empty when `path` is not an object.
 *
 * @example
 * ```ts
 * knownKeys(["monitor"]); // ["window", "lateness", "min_samples"]
 * ```
 */
export function knownKeys(path: readonly PropertyKey[]): readonly string[] {
  const schema = schemaAt(path);
  const inner = schema === undefined ? undefined : unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

/**
 * The hint of the schema at `path`: the description of the leaf or of a wrapper around it.
 *
 * @example
 * ```ts
 * hintAt(["metrics", "drift", "significance"]); // "give the significance level α, between 0 and 1 …"
 * ```
 */
export function hintAt(path: readonly PropertyKey[]): string | undefined {
  let current = schemaAt(path);
  while (current !== undefined) {
    if (current.description !== undefined) return current.description;
    const inner = unwrapOnce(current);
    if (inner === current) return undefined;
    current = inner;
  }
  return undefined;
}

/** One wrapper off: the schema inside an optional, or the input side of a transform. */
function unwrapOnce(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault)
    return schema.unwrap() as z.ZodType;
  if (schema instanceof z.ZodPipe) return schema.in as z.ZodType;
  return schema;
}

/**
 * Where each key name sits within one set of sections (e.g. `significance` → `metrics.drift`), to
 * tell a user who put a key at the wrong level where it belongs.
 *
 * @example
 * ```ts
 * keyHomes().get("significance"); // [["metrics", "drift"]]
 * ```
 */
export function keyHomes(): ReadonlyMap<string, readonly (readonly string[])[]> {
  if (homes === undefined) {
    homes = new Map();
    const walk = (schema: z.ZodType, at: readonly string[]): void => {
      const inner = unwrap(schema);
      if (!(inner instanceof z.ZodObject)) return;
      for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
        const list = homes!.get(key) ?? [];
        list.push(at);
        homes!.set(key, list);
        walk(child, [...at, key]);
      }
    };
    walk(settingsOverrideSchema, []);
  }
  return homes;
}
let homes: Map<string, (readonly string[])[]> | undefined;

/**
 * The `resources:` section: how the server samples the machine it runs on (docs/resources.md) and
 * the rules that turn those samples into alerts. Global only: a machine has one memory, whichever
 * model is watched, so the section sits beside `models:` and `alerting:`, never inside a model's
 * override. The schema validates; {@link resolveResources} fills the defaults (one of them, the
 * window, 1 min or four intervals) and checks what involves two keys.
 */
import * as z from "zod";
import { formatDuration, parseDuration } from "./duration.js";

const SECOND = 1000;

// The rules' names, directions and settings belong to the alerts layer (pure), which this section
// configures; re-exported so configuration code keeps one import.
import {
  type ResourceRuleName,
  type ResourceRuleSettings,
  resourceRuleInfo,
  resourceRuleNames,
} from "../alerts/index.js";

export { type ResourceRuleName, type ResourceRuleSettings, resourceRuleInfo, resourceRuleNames };

/**
 * `resources:` after defaults. Durations are milliseconds.
 *
 * @example
 * ```ts
 * const { interval, window, probes }: ResourceSettings = config.resources;
 * ```
 */
export interface ResourceSettings {
  /** How often every collector is sampled (15 s). */
  readonly interval: number;
  /**
   * The length of the windows the samples are aggregated into: 1 min, or four intervals when that is
   * longer — the machine's own time scale, not the model's (`monitor.window` may be a week).
   */
  readonly window: number;
  /** Latency probe targets: `http(s)://…` or `tcp://host:port` (none). */
  readonly probes: readonly string[];
  /** Paths whose filesystems are measured; null: the server's data directory and `/`. */
  readonly disk_paths: readonly string[] | null;
  /** `auto` runs nvidia-smi when it exists; `off` never runs it. */
  readonly gpu: "auto" | "off";
  readonly rules: Readonly<Record<ResourceRuleName, ResourceRuleSettings>>;
}

/**
 * The defaults of `resources:`, except the window, which depends on the interval
 * ({@link defaultResourceWindow}).
 *
 * @example
 * ```ts
 * defaultResourceSettings.rules.memory_used_ratio.critical; // 0.95
 * ```
 */
export const defaultResourceSettings: Omit<ResourceSettings, "window"> = Object.freeze({
  interval: 15 * SECOND,
  probes: Object.freeze([]) as readonly string[],
  disk_paths: null,
  gpu: "auto",
  rules: Object.freeze({
    memory_used_ratio: Object.freeze({ warning: 0.9, critical: 0.95, for: 0 }),
    gpu_memory_used_ratio: Object.freeze({ warning: null, critical: 0.95, for: 0 }),
    disk_used_ratio: Object.freeze({ warning: 0.9, critical: null, for: 0 }),
    cpu_utilisation: Object.freeze({ warning: 0.95, critical: null, for: 0 }),
    probe_success: Object.freeze({ warning: null, critical: 1, for: 0 }),
  }),
}) as Omit<ResourceSettings, "window">;

/**
 * The resource window when none is written: 1 min, or four sampling intervals when that is longer,
 * so a window always holds several samples (rates and CPU utilisation need two) and the resources
 * page charts the machine at about its sampling resolution, whatever the models' windows are.
 *
 * @example
 * ```ts
 * defaultResourceWindow(15_000); // 60_000
 * defaultResourceWindow(60_000); // 240_000
 * ```
 */
export function defaultResourceWindow(interval: number): number {
  return Math.max(60 * SECOND, 4 * interval);
}

/**
 * Why a probe target cannot be probed, or `undefined` when it can. The resource layer's
 * `probeTargetProblem` says the same (a server test checks that the two agree); it is repeated here
 * because the configuration layer does not import the collectors.
 *
 * @example
 * ```ts
 * probeProblem("tcp://db:5432"); // undefined
 * probeProblem("ftp://x"); // 'scheme "ftp:" is not http:, https: or tcp:'
 * ```
 */
export function probeProblem(target: string): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return "not a URL";
  }
  if (url.protocol === "http:" || url.protocol === "https:") return undefined;
  if (url.protocol !== "tcp:") return `scheme "${url.protocol}" is not http:, https: or tcp:`;
  if (url.hostname === "" || url.port === "") return "a tcp:// target needs a host and a port";
  return undefined;
}

const unitsHint = "units ms, s, m, h, d, w; or a number of milliseconds";

function duration(hint: string, allowZero: boolean) {
  return z
    .unknown()
    .transform((value, ctx): number => {
      const parsed = parseDuration(value);
      if (!parsed.ok) {
        const kind = typeof value === "string" || typeof value === "number" ? "value" : "type";
        ctx.addIssue({ code: "custom", message: parsed.message, input: value, params: { kind } });
        return z.NEVER;
      }
      if (parsed.ms === 0 && !allowZero) {
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

/** A threshold: a ratio in [0, 1], or `false` to turn that severity off. */
function threshold(hint: string) {
  return z
    .unknown()
    .transform((value, ctx): number | false => {
      if (value === false) return false;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        ctx.addIssue({
          code: "custom",
          message: `expected a number between 0 and 1 or false, got ${typeof value === "string" ? JSON.stringify(value) : Array.isArray(value) ? "a list" : typeof value === "object" ? "a mapping" : String(value)}`,
          input: value,
          params: { kind: "type" },
        });
        return z.NEVER;
      }
      if (value < 0 || value > 1) {
        ctx.addIssue({
          code: "custom",
          message: `must be between 0 and 1, got ${value}`,
          input: value,
          params: { kind: "value" },
        });
        return z.NEVER;
      }
      return value;
    })
    .describe(hint);
}

function rule(warning: string, critical: string) {
  return z
    .strictObject({
      warning: threshold(`${warning}, or false for no warning`).optional(),
      critical: threshold(`${critical}, or false for no critical alert`).optional(),
      for: duration(
        `give how long the condition must hold before the alert fires, e.g. 5m, or 0 to fire at once (${unitsHint})`,
        true,
      ).optional(),
    })
    .optional();
}

/** A ratio rule: alerts above its thresholds. */
function above(what: string, warning: string, critical: string) {
  return rule(
    `give the ${what} above which a warning fires, between 0 and 1, e.g. ${warning}`,
    `give the ${what} above which a critical alert fires, between 0 and 1, e.g. ${critical}`,
  );
}

/**
 * The schema of `resources:` (every key optional; {@link resolveResources} applies the defaults).
 *
 * @example
 * ```ts
 * resourcesSection.safeParse({ interval: "30s", probes: ["tcp://db:5432"] }).success; // true
 * ```
 */
export const resourcesSection = z.strictObject({
  interval: duration(
    `give how often the machine is sampled, a duration longer than zero, e.g. 15s (${unitsHint})`,
    false,
  ).optional(),
  window: duration(
    `give the length of the resource windows, e.g. 5m; default 1m, or four intervals when longer (${unitsHint})`,
    false,
  ).optional(),
  probes: z
    .array(
      z
        .string()
        .superRefine((target, ctx) => {
          const problem = probeProblem(target);
          if (problem !== undefined)
            ctx.addIssue({ code: "custom", message: problem, input: target, params: { kind: "value" } });
        })
        .describe(
          "give a URL to probe: http://… or https://… (a GET, 2xx is up) or tcp://host:port (a connect)",
        ),
    )
    .describe("give a list of targets, e.g. [https://models.internal/healthz, tcp://db.internal:5432]")
    .optional(),
  disk_paths: z
    .array(
      z
        .string()
        .superRefine((path, ctx) => {
          if (path === "")
            ctx.addIssue({
              code: "custom",
              message: "must not be empty",
              input: path,
              params: { kind: "value" },
            });
        })
        .describe("give a path on the filesystem to measure, e.g. /var/lib/tiktoktoe"),
    )
    .describe("give a list of paths whose filesystems to measure, e.g. [/var/lib/tiktoktoe, /]")
    .optional(),
  gpu: z
    .enum(["auto", "off"])
    .describe("give auto (run nvidia-smi when it exists) or off (never run it)")
    .optional(),
  rules: z
    .strictObject({
      memory_used_ratio: above("share of memory in use", "0.9", "0.95"),
      gpu_memory_used_ratio: above("share of a GPU's memory in use", "0.9", "0.95"),
      disk_used_ratio: above("share of a filesystem in use", "0.9", "0.95"),
      cpu_utilisation: above("CPU utilisation of a window", "0.9", "0.95"),
      probe_success: rule(
        "give the probe success below which a warning fires, between 0 and 1, e.g. 1 (any failed probe)",
        "give the probe success below which a critical alert fires, between 0 and 1, e.g. 1 (any failed probe)",
      ),
    })
    .describe(`give a mapping with any of the rules ${resourceRuleNames.join(", ")}`)
    .optional(),
});

/**
 * `resources:` as written (validated; durations in milliseconds, `false` for a severity turned off).
 *
 * @example
 * ```ts
 * const written: ResourcesOverride = { interval: 30_000, rules: { memory_used_ratio: { warning: 0.8 } } };
 * ```
 */
export type ResourcesOverride = z.output<typeof resourcesSection>;

/**
 * A problem that involves two keys of the section, with the path (relative to `resources`) a user
 * fixes it at.
 *
 * @example
 * ```ts
 * const issue: ResourcesIssue = { path: ["window"], message: "…", hint: "…" };
 * ```
 */
export interface ResourcesIssue {
  readonly path: readonly string[];
  readonly message: string;
  readonly hint: string;
}

/**
 * The section's settings after defaults, and its problems between keys: a window shorter than the
 * interval (no window would hold two samples, so no rate nor CPU utilisation), a warning threshold
 * on the wrong side of the critical one.
 *
 * @example
 * ```ts
 * const { settings, issues } = resolveResources({ interval: 60_000 });
 * settings.window; // 240_000 (four intervals)
 * ```
 */
export function resolveResources(written: ResourcesOverride | undefined): {
  readonly settings: ResourceSettings;
  readonly issues: readonly ResourcesIssue[];
} {
  const given = written ?? {};
  const issues: ResourcesIssue[] = [];
  const rules = {} as Record<ResourceRuleName, ResourceRuleSettings>;
  for (const name of resourceRuleNames) {
    const base = defaultResourceSettings.rules[name];
    const over = given.rules?.[name];
    const level = (value: number | false | undefined, fallback: number | null) =>
      value === undefined ? fallback : value === false ? null : value;
    const merged: ResourceRuleSettings = {
      warning: level(over?.warning, base.warning),
      critical: level(over?.critical, base.critical),
      for: over?.for ?? base.for,
    };
    rules[name] = merged;
    const { direction } = resourceRuleInfo[name];
    if (merged.warning !== null && merged.critical !== null) {
      const wrongSide =
        direction === "above" ? merged.warning > merged.critical : merged.warning < merged.critical;
      if (wrongSide)
        issues.push({
          path: ["rules", name, over?.warning !== undefined ? "warning" : "critical"],
          message: `the warning threshold (${merged.warning}) is ${direction === "above" ? "above" : "below"} the critical one (${merged.critical}): the warning could never fire`,
          hint:
            direction === "above"
              ? "give warning ≤ critical, e.g. warning 0.9 and critical 0.95"
              : "give warning ≥ critical (a probe success of 1 is up), e.g. warning 1 and critical 0.5",
        });
    }
  }
  const settings: ResourceSettings = {
    interval: given.interval ?? defaultResourceSettings.interval,
    window: given.window ?? defaultResourceWindow(given.interval ?? defaultResourceSettings.interval),
    probes: given.probes ?? defaultResourceSettings.probes,
    disk_paths: given.disk_paths ?? defaultResourceSettings.disk_paths,
    gpu: given.gpu ?? defaultResourceSettings.gpu,
    rules,
  };
  if (settings.window < settings.interval)
    issues.push({
      path: ["window"],
      message: `the window (${formatDuration(settings.window)}) is shorter than the interval (${formatDuration(settings.interval)}): no window would hold two samples`,
      hint: "sample several times per window, e.g. interval 15s and window 1m, or leave the window out",
    });
  return { settings, issues };
}

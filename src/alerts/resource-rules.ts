/**
 * Resource rules: the machine's figures (docs/resources.md) become alert conditions, the way window
 * verdicts do for models (rules.ts). Pure: a reading and the configured rules in, evaluations for
 * the state machine out; the caller gives the times.
 *
 * | rule (`resources.rules.…`) | alertname | judged | fires when | default |
 * |---|---|---|---|---|
 * | `memory_used_ratio` | `ResourceMemoryHigh` | every sample | 1 − MemAvailable ÷ MemTotal is above a threshold | warning > 0.9, critical > 0.95 |
 * | `gpu_memory_used_ratio` | `ResourceGpuMemoryHigh` | every sample | a GPU's FB_USED ÷ FB_TOTAL is above a threshold | critical > 0.95 |
 * | `disk_used_ratio` | `ResourceDiskHigh` | every sample | a filesystem's 1 − avail ÷ size is above a threshold | warning > 0.9 |
 * | `cpu_utilisation` | `ResourceCpuHigh` | each closed window | busy ÷ all CPU seconds over the window is above a threshold | warning > 0.95 |
 * | `probe_success` | `DependencyDown` | every sample | a probe's success is below a threshold (1: the probe failed) | critical < 1 |
 *
 * One alert per rule and thing (host, GPU, filesystem, target) carries the worst severity whose
 * threshold is crossed: crossing from warning to critical resolves the warning alert and fires the
 * critical one, as the model latency rule does. A figure that could not be read (a collector error,
 * a missing field) neither fires nor resolves: it is `unknown`, and the state machine leaves its
 * alerts as they are.
 */
import type { Severity } from "../drift/index.js";
import type { Labels } from "./labels.js";
import { type ResourceRuleName, type ResourceRuleSettings, resourceRuleInfo } from "./resource-rule-info.js";
import type { AlertCondition, For } from "./state.js";

/**
 * The alert names of the resource rules.
 *
 * @example
 * ```ts
 * resourceAlertNames.probe_success; // "DependencyDown"
 * ```
 */
export const resourceAlertNames = {
  memory_used_ratio: "ResourceMemoryHigh",
  gpu_memory_used_ratio: "ResourceGpuMemoryHigh",
  disk_used_ratio: "ResourceDiskHigh",
  cpu_utilisation: "ResourceCpuHigh",
  probe_success: "DependencyDown",
} as const satisfies Record<ResourceRuleName, string>;

/** The `resource` label of each rule's alerts. */
const resourceLabel: Record<ResourceRuleName, string> = {
  memory_used_ratio: "memory",
  gpu_memory_used_ratio: "gpu",
  disk_used_ratio: "disk",
  cpu_utilisation: "cpu",
  probe_success: "network",
};

/** A gauge as the rules read it: its newest value (what a sample rule judges). */
interface Latest {
  readonly last: number;
}

/**
 * The figures the rules read: a slice of the resource layer's window summary (`ResourceSummary`,
 * which satisfies it), declared here because the alerts layer does not import the collectors.
 * Sample rules read each gauge's `last`; the CPU rule reads the window's `cpu.utilisation`.
 *
 * @example
 * ```ts
 * const reading: ResourceReading = oneSnapshotWindow.summary();
 * ```
 */
export interface ResourceReading {
  readonly cpu: { readonly utilisation: number | null };
  readonly memory: { readonly usedRatio: Latest | null };
  readonly gpus: ReadonlyArray<{
    readonly gpu: string;
    readonly uuid: string;
    readonly modelName: string;
    readonly memoryUsedRatio: Latest | null;
  }>;
  readonly filesystems: ReadonlyArray<{ readonly mountpoint: string; readonly usedRatio: Latest }>;
  readonly probes: ReadonlyArray<{ readonly target: string; readonly success: Latest | null }>;
  /** Error entries per collector: a collector in error cannot say that a thing it did not list is fine. */
  readonly collectErrors: Readonly<Partial<Record<string, number>>>;
}

/**
 * What to judge: `sample` runs the rules judged on every sample (memory, GPU memory, disk, probes)
 * on the newest snapshot; `window` runs the rules judged per window (CPU) on a window that closed.
 * `at` is the evaluation's time (the sample's time, or the window's end), `window` the resource
 * window it belongs to, `instance` the machine (its host name).
 *
 * @example
 * ```ts
 * const input: ResourceRuleInput = { phase: "window", at: end, window: { start, end }, instance: "gpu-7", reading: summary };
 * ```
 */
export interface ResourceRuleInput {
  readonly phase: "sample" | "window";
  readonly at: number;
  readonly window: { readonly start: number; readonly end: number };
  readonly instance: string;
  readonly reading: ResourceReading;
}

/**
 * One evaluation for the state machine: the scope it speaks for (one rule's alerts), the conditions
 * that hold, and the label subsets it could not judge.
 *
 * @example
 * ```ts
 * for (const e of resourceAlertEvaluations(input, rules)) machine.evaluate({ at: input.at, ...e });
 * ```
 */
export interface ResourceEvaluation {
  readonly scope: Labels;
  readonly conditions: readonly AlertCondition[];
  readonly unknown: readonly Labels[];
}

/**
 * Options of {@link resourceAlertEvaluations}.
 *
 * @example
 * ```ts
 * resourceAlertEvaluations(input, rules, { dashboardUrl: "https://tiktoktoe.example.com" });
 * ```
 */
export interface ResourceRuleOptions {
  /** Base URL of the dashboard; each alert links to its resources page. */
  readonly dashboardUrl?: string;
}

/**
 * The evaluations of one phase, one per rule judged in it (a rule with no threshold at all still
 * evaluates, so its earlier alerts resolve). Labels: `alertname`, `severity`, `resource` (memory,
 * gpu, disk, cpu, network), `instance`, and `gpu`/`uuid`, `mountpoint` or `target`. Annotations:
 * `summary` and `description` with the value and the threshold, `value`, `threshold`,
 * `window_start`, `window_end`, and `dashboard` when a base URL is given.
 *
 * @example
 * ```ts
 * const [memory] = resourceAlertEvaluations(
 *   { phase: "sample", at, window, instance: "web-1", reading },
 *   { ...rules, memory_used_ratio: { warning: 0.9, critical: 0.95, for: 0 } },
 * );
 * memory.conditions[0]?.labels; // { alertname: "ResourceMemoryHigh", resource: "memory", instance: "web-1", severity: "critical" }
 * ```
 */
export function resourceAlertEvaluations(
  input: ResourceRuleInput,
  rules: Readonly<Record<ResourceRuleName, ResourceRuleSettings>>,
  options: ResourceRuleOptions = {},
): ResourceEvaluation[] {
  const { reading, instance } = input;
  const errors = (collector: string) => (reading.collectErrors[collector] ?? 0) > 0;
  const out: ResourceEvaluation[] = [];
  const judge = (
    name: ResourceRuleName,
    things: ReadonlyArray<{ labels: Labels; value: number | null; what: string }>,
    collectorFailed: boolean,
  ) => {
    const alertname = resourceAlertNames[name];
    const rule = rules[name];
    const conditions: AlertCondition[] = [];
    const unknown: Labels[] = collectorFailed ? [{ alertname }] : [];
    for (const thing of things) {
      if (thing.value === null) {
        unknown.push({ alertname, ...thing.labels });
        continue;
      }
      const crossed = worstCrossed(name, rule, thing.value);
      if (crossed === null) continue;
      conditions.push({
        labels: {
          alertname,
          resource: resourceLabel[name],
          instance,
          ...thing.labels,
          severity: crossed.severity,
        },
        annotations: annotations(name, input, thing.what, thing.value, crossed.threshold, options),
        for: forOf(rule),
      });
    }
    out.push({ scope: { alertname }, conditions, unknown });
  };

  if (input.phase === "window") {
    judge(
      "cpu_utilisation",
      [{ labels: {}, value: reading.cpu.utilisation, what: `${instance}: CPU utilisation` }],
      errors("cpu"),
    );
    return out;
  }
  judge(
    "memory_used_ratio",
    [{ labels: {}, value: reading.memory.usedRatio?.last ?? null, what: `${instance}: memory used` }],
    errors("memory"),
  );
  judge(
    "gpu_memory_used_ratio",
    reading.gpus.map((g) => ({
      labels: { gpu: g.gpu, uuid: g.uuid },
      value: g.memoryUsedRatio?.last ?? null,
      what: `${instance}: GPU ${g.gpu}${g.modelName === "" ? "" : ` (${g.modelName})`} memory used`,
    })),
    errors("gpu"),
  );
  judge(
    "disk_used_ratio",
    reading.filesystems.map((f) => ({
      labels: { mountpoint: f.mountpoint },
      value: f.usedRatio.last,
      what: `${instance}: filesystem ${f.mountpoint} used`,
    })),
    errors("disk"),
  );
  judge(
    "probe_success",
    reading.probes.map((p) => ({
      labels: { target: p.target },
      value: p.success?.last ?? null,
      what: `${p.target}: probe success`,
    })),
    errors("latency"),
  );
  return out;
}

/** The worst severity whose threshold the value crosses (strictly), with that threshold. */
function worstCrossed(
  name: ResourceRuleName,
  rule: ResourceRuleSettings,
  value: number,
): { severity: Severity; threshold: number } | null {
  const above = resourceRuleInfo[name].direction === "above";
  const crosses = (threshold: number | null) =>
    threshold !== null && (above ? value > threshold : value < threshold);
  if (crosses(rule.critical)) return { severity: "critical", threshold: rule.critical! };
  if (crosses(rule.warning)) return { severity: "warning", threshold: rule.warning! };
  return null;
}

function forOf(rule: ResourceRuleSettings): For {
  // `for: 0` fires at the first evaluation, as Prometheus's `for: 0`.
  return rule.for > 0 ? { ms: rule.for } : { windows: 1 };
}

function annotations(
  name: ResourceRuleName,
  input: ResourceRuleInput,
  what: string,
  value: number,
  threshold: number,
  options: ResourceRuleOptions,
): Labels {
  const above = resourceRuleInfo[name].direction === "above";
  const side = above ? "above" : "below";
  const shown = name === "probe_success" ? (value === 0 ? "0 (down)" : num(value)) : percent(value);
  const limit = name === "probe_success" ? num(threshold) : percent(threshold);
  const over =
    input.phase === "window"
      ? ` over the window ${iso(input.window.start)} to ${iso(input.window.end)}`
      : ` at ${iso(input.at)}`;
  const out: Record<string, string> = {
    summary: `${what} ${shown}, ${side} ${limit}`,
    description: `${what} was ${shown}${over}, ${side} its threshold ${limit} (resources.rules.${name}).`,
    value: num(value),
    threshold: num(threshold),
    window_start: iso(input.window.start),
    window_end: iso(input.window.end),
  };
  if (options.dashboardUrl !== undefined && options.dashboardUrl !== "")
    out.dashboard = `${options.dashboardUrl.replace(/\/+$/, "")}/resources`;
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// Four significant digits, as the model rules print values.
function num(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(3))}%`;
}

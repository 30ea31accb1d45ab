/**
 * Layering: defaults ← the file's top-level sections ← a model's override, deep-merged, then the
 * checks that involve more than one key (which may come from different layers).
 */
import { formatDuration } from "./duration.js";
import type { QueueSettings } from "./queue.js";
import type { ResourceSettings } from "./resources.js";
import type { SettingsOverride } from "./schema.js";
import { defaultSettings, type QualityMetric, qualityMetricInfo, type Settings } from "./settings.js";
import type { StoreSettings } from "./store.js";

/**
 * A parsed configuration: the effective global settings, and the layers they came from so a model's
 * override can be laid over the file's values (not over the defaults). Build one with `parseConfig`;
 * read a model's settings with {@link resolveModelConfig}.
 *
 * @example
 * ```ts
 * const result = parseConfig("models:\n  bike:\n    monitor: { window: 1w }\n");
 * if (result.ok) console.log(Object.keys(result.config.models)); // ["bike"]
 * ```
 */
export interface MonitorConfig {
  /** What a model without an override is monitored with: defaults ← the file's top-level sections. */
  readonly settings: Settings;
  /** The file's top-level sections as written (validated; durations in milliseconds). */
  readonly global: SettingsOverride;
  /** Each model's override as written, by model name. */
  readonly models: Readonly<Record<string, SettingsOverride>>;
  /** The `resources` section with its defaults (global only: one machine, whichever model). */
  readonly resources: ResourceSettings;
  /** The `store` section with its defaults (global only: where the state lives). */
  readonly store: StoreSettings;
  /** The `queue` section with its defaults (global only: the ingest log between replicas). */
  readonly queue: QueueSettings;
  /** The `alerting` section as written (validated by the server at start-up), if any. */
  readonly alerting?: unknown;
}

/**
 * A problem found while layering. `layer` indexes the layers given to {@link resolveLayers} and says
 * which one to blame (the highest layer that wrote one of the keys involved); `path` is a key that
 * layer wrote, relative to its sections.
 *
 * @example
 * ```ts
 * const issue: LayerIssue = {
 *   layer: 1, path: ["metrics", "drift", "psi", "warning"],
 *   message: "the PSI warning threshold (0.3) is above the critical one (0.25)", hint: "…",
 * };
 * ```
 */
export interface LayerIssue {
  readonly layer: number;
  readonly path: readonly string[];
  readonly message: string;
  readonly hint: string;
}

/**
 * The settings of one model: its override (if any) deep-merged over the file's top-level sections,
 * over the defaults. A model the file does not name gets `config.settings`. Never fails for a config
 * built by `parseConfig`, which checks every model's merged settings when it parses.
 *
 * @example
 * ```ts
 * const bike = resolveModelConfig(config, "bike");
 * console.log(bike.monitor.window, bike.metrics.quality.metric); // 604800000 "mae"
 * ```
 */
export function resolveModelConfig(config: MonitorConfig, model: string): Settings {
  // hasOwn: "constructor" is a valid model name and must not find Object.prototype's.
  const override = Object.hasOwn(config.models, model) ? config.models[model] : undefined;
  return override === undefined ? config.settings : resolveLayers([config.global, override]).settings;
}

/**
 * Lays `layers` (lowest first) over the defaults and checks what involves several keys: a quality
 * metric changed without its threshold, the threshold's range for its metric, `type`/`direction`
 * against the metric, the quality window against `monitor.window`, PSI warning ≤ critical, report
 * retention ≥ frequency. Derived values are filled in last: the quality metric's type and direction,
 * and its window (equal to `monitor.window` unless a layer gives one, so a model that only changes
 * its window moves its quality window too).
 *
 * @example
 * ```ts
 * const { settings, issues } = resolveLayers([{ monitor: { window: 604_800_000 } }]);
 * settings.metrics.quality.window; // 604800000
 * issues.length; // 0
 * ```
 */
export function resolveLayers(layers: readonly SettingsOverride[]): {
  readonly settings: Settings;
  readonly issues: readonly LayerIssue[];
} {
  const { window: _window, type: _type, direction: _direction, ...quality } = defaultSettings.metrics.quality;
  const base = { ...defaultSettings, metrics: { ...defaultSettings.metrics, quality } };
  let merged: unknown = base;
  for (const layer of layers) merged = overlay(merged, layer);
  const partial = merged as Omit<Settings, "metrics"> & {
    readonly metrics: Omit<Settings["metrics"], "quality"> & {
      readonly quality: {
        readonly metric: QualityMetric;
        readonly threshold: number;
        readonly window?: number;
      };
    };
  };
  const metric = partial.metrics.quality.metric;
  const info = qualityMetricInfo[metric];
  const settings: Settings = {
    ...partial,
    metrics: {
      ...partial.metrics,
      quality: {
        metric,
        type: info.kind,
        threshold: partial.metrics.quality.threshold,
        direction: info.direction,
        window: partial.metrics.quality.window ?? partial.monitor.window,
      },
    },
  };
  return { settings, issues: check(settings, layers) };
}

const qualityPath = ["metrics", "quality"];

function check(settings: Settings, layers: readonly SettingsOverride[]): LayerIssue[] {
  const issues: LayerIssue[] = [];
  const { quality } = settings.metrics;

  // Each layer that names a type or direction must agree with the metric in force at that layer, and
  // a layer that changes the metric must give the threshold too: 0.95 means nothing for an MAE.
  let metric: QualityMetric = defaultSettings.metrics.quality.metric;
  let thresholdFor = metric;
  let metricLayer = -1;
  layers.forEach((layer, index) => {
    const given = layer.metrics?.quality;
    if (given === undefined) return;
    if (given.metric !== undefined && given.metric !== metric) {
      metric = given.metric;
      metricLayer = index;
    }
    if (given.threshold !== undefined) thresholdFor = metric;
    const info = qualityMetricInfo[metric];
    if (given.type !== undefined && given.type !== info.kind) {
      issues.push({
        layer: index,
        path: [...qualityPath, "type"],
        message: `${metric} is a ${info.kind} metric, not ${given.type}`,
        hint: `leave type out (it follows from the metric) or write type: ${info.kind}`,
      });
    }
    if (given.direction !== undefined && given.direction !== info.direction) {
      issues.push({
        layer: index,
        path: [...qualityPath, "direction"],
        message: `${metric} alerts when it goes ${info.direction} its threshold, not ${given.direction}`,
        hint: `leave direction out (it follows from the metric) or write direction: ${info.direction}`,
      });
    }
  });
  const info = qualityMetricInfo[quality.metric];
  if (thresholdFor !== quality.metric) {
    issues.push({
      layer: Math.max(metricLayer, 0),
      path: qualityPath,
      message: `the metric is ${quality.metric} but its threshold ${quality.threshold} was set for ${thresholdFor}`,
      hint: `give the threshold for ${quality.metric} beside the metric, e.g. { metric: ${quality.metric}, threshold: … }`,
    });
  } else if (quality.threshold < info.min || quality.threshold > info.max) {
    issues.push({
      ...blame(layers, [
        [...qualityPath, "threshold"],
        [...qualityPath, "metric"],
      ]),
      message: `threshold ${quality.threshold} is out of range for ${quality.metric}: it must be ${rangeText(info.min, info.max)}`,
      hint: `give a threshold ${rangeText(info.min, info.max)} for ${quality.metric}`,
    });
  }

  // Quality accumulators are kept per monitor window and merged, so a quality window is made of
  // whole monitor windows.
  const windows = quality.window / settings.monitor.window;
  if (Math.abs(windows - Math.round(windows)) > 1e-9 || windows < 1) {
    const qualityWindowPath = [...qualityPath, "window"];
    const blamed = blame(layers, [qualityWindowPath, ["monitor", "window"]]);
    // A model that changes only its monitor window can inherit a quality window that no longer fits.
    const inherited = highestLayer(layers, qualityWindowPath) < blamed.layer;
    issues.push({
      ...blamed,
      message: `the quality window (${formatDuration(quality.window)}${inherited ? ", inherited" : ""}) is not a whole multiple of monitor.window (${formatDuration(settings.monitor.window)})`,
      hint: inherited
        ? "give this model its own quality window (a multiple of monitor.window), or remove the inherited one so it follows monitor.window"
        : "make the quality window a multiple of monitor.window, or leave it out so it equals monitor.window",
    });
  }

  const { psi } = settings.metrics.drift;
  if (psi.warning > psi.critical) {
    issues.push({
      ...blame(layers, [
        ["metrics", "drift", "psi", "warning"],
        ["metrics", "drift", "psi", "critical"],
      ]),
      message: `the PSI warning threshold (${psi.warning}) is above the critical one (${psi.critical})`,
      hint: "give psi.warning ≤ psi.critical, e.g. 0.1 and 0.25",
    });
  }

  const { reporting } = settings;
  if (reporting.retention < reporting.frequency) {
    issues.push({
      ...blame(layers, [
        ["reporting", "retention"],
        ["reporting", "frequency"],
      ]),
      message: `retention (${formatDuration(reporting.retention)}) is shorter than the report frequency (${formatDuration(reporting.frequency)}): each report would be deleted before the next is written`,
      hint: "keep reports at least as long as the frequency, e.g. frequency 1h and retention 30d",
    });
  }
  return issues;
}

function rangeText(min: number, max: number): string {
  if (max === Number.POSITIVE_INFINITY) return `≥ ${min}`;
  if (min === Number.NEGATIVE_INFINITY) return `≤ ${max}`;
  return `between ${min} and ${max}`;
}

/** The highest layer that wrote one of `paths`, and the first such path: where a user fixes it. */
function blame(
  layers: readonly SettingsOverride[],
  paths: readonly (readonly string[])[],
): Pick<LayerIssue, "layer" | "path"> {
  let best = { layer: -1, path: paths[0]! };
  for (const path of paths) {
    const layer = highestLayer(layers, path);
    if (layer > best.layer) best = { layer, path };
  }
  // Only defaults involved cannot happen (they pass every check); blame the top level to be safe.
  return best.layer < 0 ? { layer: 0, path: best.path } : best;
}

/** The highest layer that wrote `path`; -1 when none did (the default applies). */
function highestLayer(layers: readonly SettingsOverride[], path: readonly string[]): number {
  for (let layer = layers.length - 1; layer >= 0; layer--)
    if (valueAt(layers[layer], path) !== undefined) return layer;
  return -1;
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep merge: mappings merge key by key, anything else in `over` replaces; `undefined` keeps `base`. */
function overlay(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isRecord(base) || !isRecord(over)) return over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value !== undefined) merged[key] = overlay(base[key], value);
  }
  return merged;
}

export { toDriftOptions } from "./drift-options.js";
export {
  type DurationResult,
  type DurationUnit,
  durationUnits,
  formatDuration,
  parseDuration,
} from "./duration.js";
export { loadConfig } from "./load.js";
export {
  type ConfigResult,
  configFormatOf,
  type ParseConfigOptions,
  parseConfig,
  validateConfig,
} from "./parse.js";
export {
  type ConfigProblem,
  type ConfigProblemKind,
  configError,
  describeProblem,
  formatPath,
} from "./problems.js";
export {
  defaultQueueSettings,
  type QueueOverride,
  type QueueSettings,
  queueSection,
  queueUrlProblem,
  resolveQueue,
  splitQueueUrl,
} from "./queue.js";
export { type MonitorConfig, resolveModelConfig } from "./resolve.js";
export {
  defaultResourceSettings,
  probeProblem,
  type ResourceRuleName,
  type ResourceRuleSettings,
  type ResourceSettings,
  type ResourcesOverride,
  resolveResources,
  resourceRuleInfo,
  resourceRuleNames,
} from "./resources.js";
export { type ConfigFile, modelNamePattern, type SettingsOverride } from "./schema.js";
export {
  type AlertDirection,
  type DriftSettings,
  defaultSettings,
  type LatencySettings,
  type MetricsSettings,
  type ModelKind,
  type MonitorSettings,
  type QualityMetric,
  type QualityMetricInfo,
  type QualitySettings,
  qualityMetricInfo,
  qualityMetrics,
  type ReportingFormat,
  type ReportingSettings,
  reportingFormats,
  type Settings,
} from "./settings.js";
export type { ConfigFormat } from "./source.js";
export {
  defaultStoreSettings,
  resolveStore,
  type StoreOverride,
  type StoreSettings,
  storeSection,
  storeUrlProblem,
} from "./store.js";

import type { ResourceSample } from "./port.js";

/**
 * A metric's name, kind and help text, declared once per adapter so every sample of it agrees.
 *
 * @example
 * ```ts
 * const load1: MetricDefinition = { metric: "node_load1", type: "gauge", help: "1m load average." };
 * ```
 */
export interface MetricDefinition {
  readonly metric: string;
  readonly type: "counter" | "gauge";
  readonly help: string;
}

/**
 * A sample of a declared metric.
 *
 * @example
 * ```ts
 * sampleOf(load1, 0.48); // { metric: "node_load1", labels: {}, value: 0.48, type: "gauge", help: "1m load average." }
 * ```
 */
export function sampleOf(
  definition: MetricDefinition,
  value: number,
  labels: Readonly<Record<string, string>> = {},
): ResourceSample {
  return { metric: definition.metric, labels, value, type: definition.type, help: definition.help };
}

/**
 * The resource rules, by the figure each one watches, and which side of its thresholds alerts.
 *
 * @example
 * ```ts
 * resourceRuleInfo.probe_success.direction; // "below"
 * ```
 */
export const resourceRuleInfo = {
  memory_used_ratio: { direction: "above", judged: "sample" },
  gpu_memory_used_ratio: { direction: "above", judged: "sample" },
  disk_used_ratio: { direction: "above", judged: "sample" },
  cpu_utilisation: { direction: "above", judged: "window" },
  probe_success: { direction: "below", judged: "sample" },
} as const satisfies Record<
  string,
  { readonly direction: "above" | "below"; readonly judged: "sample" | "window" }
>;

/**
 * A resource rule's name: the figure it watches.
 *
 * @example
 * ```ts
 * const rule: ResourceRuleName = "memory_used_ratio";
 * ```
 */
export type ResourceRuleName = keyof typeof resourceRuleInfo;

/**
 * The rule names, in the order the documentation lists them.
 *
 * @example
 * ```ts
 * resourceRuleNames.includes("cpu_utilisation"); // true
 * ```
 */
export const resourceRuleNames = Object.keys(resourceRuleInfo) as readonly ResourceRuleName[];

/**
 * One resource rule after defaults: a threshold per severity (null: that severity is off) and how
 * long the condition must hold before the alert fires (ms; 0 fires at the first breach).
 *
 * @example
 * ```ts
 * const memory: ResourceRuleSettings = { warning: 0.9, critical: 0.95, for: 0 };
 * ```
 */
export interface ResourceRuleSettings {
  readonly warning: number | null;
  readonly critical: number | null;
  readonly for: number;
}

/**
 * Inhibition: while a worse alert fires, the lesser alerts it explains stay quiet. Alertmanager's
 * rules and semantics, with the default: an emergency mutes the warnings and criticals of the
 * same model.
 */
import { compareNames, type Labels, labelValue } from "./labels.js";
import { type Matcher, matchesAll, parseMatchers } from "./matchers.js";

/**
 * One inhibition rule: while a firing alert matches `sourceMatchers`, alerts matching
 * `targetMatchers` that agree with it on every `equal` label are muted.
 *
 * @example
 * ```ts
 * const rule: InhibitRule = { sourceMatchers: [isEmergency], targetMatchers: [isWarningOrCritical], equal: ["model"] };
 * ```
 */
export interface InhibitRule {
  readonly sourceMatchers: readonly Matcher[];
  readonly targetMatchers: readonly Matcher[];
  readonly equal: readonly string[];
}

/**
 * An inhibition rule as configured (Alertmanager's `inhibit_rules[]` keys).
 *
 * @example
 * ```ts
 * const config: InhibitRuleConfig = {
 *   source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["model", "version"],
 * };
 * ```
 */
export interface InhibitRuleConfig {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  readonly equal?: readonly string[];
}

/**
 * A firing alert that may inhibit others: its labels and fingerprint.
 *
 * @example
 * ```ts
 * const source: InhibitionSource = { fingerprint: "3255a2497e27fab6", labels: { severity: "emergency", model: "resnet50" } };
 * ```
 */
export interface InhibitionSource {
  readonly fingerprint: string;
  readonly labels: Labels;
}

/**
 * The default rule of the alerting issue: `severity="emergency"` inhibits
 * `severity=~"warning|critical"` with `equal: [model]`. Used when no rules are configured.
 *
 * @example
 * ```ts
 * inhibitedBy(defaultInhibitRules, criticalAlert.labels, firingAlerts); // [fingerprint of the emergency]
 * ```
 */
export const defaultInhibitRules: readonly InhibitRule[] = [
  {
    sourceMatchers: [{ name: "severity", type: "=", value: "emergency" }],
    targetMatchers: [
      { name: "severity", type: "=~", value: "warning|critical", regex: /^(?:warning|critical)$/u },
    ],
    equal: ["model"],
  },
];

/**
 * What {@link buildInhibitRules} returns.
 *
 * @example
 * ```ts
 * const result: InhibitRulesResult = buildInhibitRules(configs);
 * ```
 */
export type InhibitRulesResult =
  | { readonly ok: true; readonly rules: readonly InhibitRule[] }
  | { readonly ok: false; readonly problems: readonly { readonly path: string; readonly message: string }[] };

/**
 * Parses configured inhibition rules, reporting every bad matcher with its path.
 *
 * @example
 * ```ts
 * buildInhibitRules([{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["model"] }]);
 * ```
 */
export function buildInhibitRules(
  configs: readonly InhibitRuleConfig[],
  path = "inhibit_rules",
): InhibitRulesResult {
  const problems: { path: string; message: string }[] = [];
  const rules = configs.map((config, i) => {
    const side = (texts: readonly string[], key: string) =>
      texts.flatMap((text, j) => {
        const result = parseMatchers(text);
        if (result.ok) return [...result.matchers];
        for (const p of result.problems)
          problems.push({ path: `${path}[${i}].${key}[${j}]`, message: p.message });
        return [];
      });
    return {
      sourceMatchers: side(config.source_matchers, "source_matchers"),
      targetMatchers: side(config.target_matchers, "target_matchers"),
      equal: [...(config.equal ?? [])],
    };
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rules };
}

/**
 * The fingerprints of the firing alerts that inhibit an alert with these labels, sorted (empty: not
 * inhibited). Alertmanager's semantics: a rule applies when its target matchers match the alert; a
 * source is a firing alert matching the source matchers whose `equal` labels have the same values
 * (a missing label counts as empty, so two alerts both without `model` are "equal"); and when the
 * alert matches the source side too, sources that also match the target side do not count — so an
 * alert never inhibits itself, and two alerts matching both sides do not inhibit each other.
 * Alertmanager reports the first inhibiting alert it finds; this lists them all.
 *
 * @example
 * ```ts
 * inhibitedBy(defaultInhibitRules, { alertname: "ModelLatencyHigh", model: "bike", severity: "critical" }, [
 *   { fingerprint: "3255a2497e27fab6", labels: { alertname: "ModelDriftDetected", model: "bike", severity: "emergency" } },
 * ]); // ["3255a2497e27fab6"]
 * ```
 */
export function inhibitedBy(
  rules: readonly InhibitRule[],
  labels: Labels,
  firing: readonly InhibitionSource[],
): string[] {
  const by = new Set<string>();
  for (const rule of rules) {
    if (!matchesAll(rule.targetMatchers, labels)) continue;
    const twoSided = matchesAll(rule.sourceMatchers, labels);
    for (const source of firing) {
      if (!matchesAll(rule.sourceMatchers, source.labels)) continue;
      if (
        !rule.equal.every(
          (name) => (labelValue(source.labels, name) ?? "") === (labelValue(labels, name) ?? ""),
        )
      )
        continue;
      if (twoSided && matchesAll(rule.targetMatchers, source.labels)) continue;
      by.add(source.fingerprint);
    }
  }
  return [...by].sort(compareNames);
}

/**
 * Inhibition: while a worse alert fires, the lesser alerts it explains stay quiet. Alertmanager's
 * rules and semantics, with the default: an emergency mutes the warnings and criticals of the
 * same model.
 */
import { compareNames, isLabelName, type Labels, labelValue } from "./labels.js";
import { legacyMatchers } from "./legacy-matchers.js";
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
 * An inhibition rule as configured (Alertmanager 0.25's `inhibit_rules[]` keys). Each side's matchers
 * are its legacy equality map, its legacy regex map (anchored as `^(?:regex)$`) and its
 * `*_matchers` together, as Alertmanager combines them; a side with none matches every alert.
 *
 * @example
 * ```ts
 * const config: InhibitRuleConfig = {
 *   source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["model", "version"],
 * };
 * const legacy: InhibitRuleConfig = {
 *   source_match: { severity: "critical" }, target_match_re: { severity: "warning|info" }, equal: ["model"],
 * };
 * ```
 */
export interface InhibitRuleConfig {
  readonly source_matchers?: readonly string[];
  readonly target_matchers?: readonly string[];
  /** Legacy equality matchers, label name → value (deprecated in Alertmanager, still valid in 0.25). */
  readonly source_match?: Readonly<Record<string, string>>;
  /** Legacy regex matchers, label name → regex, anchored at both ends (deprecated, valid in 0.25). */
  readonly source_match_re?: Readonly<Record<string, string>>;
  /** Legacy equality matchers, label name → value (deprecated in Alertmanager, still valid in 0.25). */
  readonly target_match?: Readonly<Record<string, string>>;
  /** Legacy regex matchers, label name → regex, anchored at both ends (deprecated, valid in 0.25). */
  readonly target_match_re?: Readonly<Record<string, string>>;
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
 * Parses and checks configured inhibition rules, reporting every problem with its path: the list
 * itself, unknown keys (Alertmanager loads its configuration strictly), values of the wrong type,
 * bad matchers, bad regexes and invalid label names. It takes the configuration as written
 * (`unknown`), so a malformed rule is a problem, never a crash.
 *
 * @example
 * ```ts
 * buildInhibitRules([{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["model"] }]);
 * buildInhibitRules([{ source_match: { severity: "critical" }, target_match_re: { severity: "warning|info" } }]);
 * ```
 */
export function buildInhibitRules(configs: unknown, path = "inhibit_rules"): InhibitRulesResult {
  const problems: { path: string; message: string }[] = [];
  if (!Array.isArray(configs))
    return { ok: false, problems: [{ path, message: "must be a list of inhibition rules ([] for none)" }] };
  const rules = configs.map((config: unknown, i): InhibitRule => {
    const at = `${path}[${i}]`;
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
      problems.push({ path: at, message: "must be a mapping" });
      return { sourceMatchers: [], targetMatchers: [], equal: [] };
    }
    const raw = config as Record<string, unknown>;
    for (const key of Object.keys(raw))
      if (!inhibitRuleKeys.has(key))
        problems.push({
          path: `${at}.${key}`,
          message: `unknown key; an inhibition rule has ${[...inhibitRuleKeys].join(", ")}`,
        });
    const side = (prefix: "source" | "target"): Matcher[] => [
      ...legacyMatchers(raw[`${prefix}_match`], "=", `${at}.${prefix}_match`, problems),
      ...legacyMatchers(raw[`${prefix}_match_re`], "=~", `${at}.${prefix}_match_re`, problems),
      ...stringList(raw[`${prefix}_matchers`], `${at}.${prefix}_matchers`, problems).flatMap(([text, p]) => {
        const result = parseMatchers(text);
        if (result.ok) return [...result.matchers];
        for (const problem of result.problems) problems.push({ path: p, message: problem.message });
        return [];
      }),
    ];
    const equal = stringList(raw.equal, `${at}.equal`, problems).flatMap(([name, p]) => {
      if (isLabelName(name)) return [name];
      problems.push({ path: p, message: `${JSON.stringify(name)} is not a valid label name` });
      return [];
    });
    return { sourceMatchers: side("source"), targetMatchers: side("target"), equal };
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rules };
}

const inhibitRuleKeys = new Set([
  "source_match",
  "source_match_re",
  "source_matchers",
  "target_match",
  "target_match_re",
  "target_matchers",
  "equal",
]);

// A list of strings with each entry's path; `undefined` and `null` (nothing written) are empty.
function stringList(
  value: unknown,
  path: string,
  problems: { path: string; message: string }[],
): [string, string][] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push({ path, message: "must be a list of strings" });
    return [];
  }
  return value.flatMap((item: unknown, j): [string, string][] => {
    if (typeof item === "string") return [[item, `${path}[${j}]`]];
    problems.push({ path: `${path}[${j}]`, message: "must be a string" });
    return [];
  });
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

/**
 * The seed's acceptance rules, `{ accuracy_drop_limit: 0.01, latency_improvement: 0.2 }`, as one pure
 * decision with a reason per failed rule. The accuracy drop is **absolute** (NNCF's convention:
 * acc_base − acc_cand ≤ 0.01, i.e. one percentage point), not relative (INC's acc_cand ≥ 0.99·acc_base).
 */

import { formatNumber } from "./format-number.js";

/**
 * Acceptance thresholds.
 *
 * @example
 * ```ts
 * const rules: AcceptanceRules = { accuracyDropLimit: 0.01, latencyImprovement: 0.2 };
 * ```
 */
export interface AcceptanceRules {
  /** Largest tolerated absolute accuracy drop (fraction: 0.01 = one point). */
  readonly accuracyDropLimit: number;
  /** Smallest required relative latency improvement (base − cand)/base (0.2 = 20% faster). */
  readonly latencyImprovement: number;
  /**
   * Also require the one-sided upper confidence bound of the drop to be within the limit, when the
   * evidence carries one, so a lucky fold cannot pass a worse model. Default true.
   */
  readonly requireUpperBound?: boolean;
}

/**
 * The seed's rules: an absolute accuracy drop of at most 0.01 and a latency at least 20% lower.
 *
 * @example
 * ```ts
 * DEFAULT_ACCEPTANCE.accuracyDropLimit; // 0.01
 * ```
 */
export const DEFAULT_ACCEPTANCE: AcceptanceRules = {
  accuracyDropLimit: 0.01,
  latencyImprovement: 0.2,
  requireUpperBound: true,
};

/**
 * What a candidate is judged on.
 *
 * @example
 * ```ts
 * const evidence: AcceptanceEvidence = {
 *   accuracyDrop: { mean: 0.004, upperBound: 0.008, confidence: 0.95 },
 *   latency: { baselineMs: 5, candidateMs: 2.9 },
 *   agreement: { agrees: true, reasons: [] },
 * };
 * ```
 */
export interface AcceptanceEvidence {
  /** Baseline − candidate accuracy on the same rows: the mean over folds, and optionally its upper bound. */
  readonly accuracyDrop: {
    readonly mean: number;
    readonly upperBound?: number;
    readonly confidence?: number;
  };
  /** The same statistic (p50 recommended) for both, measured on the same machine and thread settings. */
  readonly latency: { readonly baselineMs: number; readonly candidateMs: number };
  /** The fp32-vs-int8 correctness gate ({@link agreementVerdict}); absent for non-quantized candidates. */
  readonly agreement?: { readonly agrees: boolean; readonly reasons: readonly string[] };
}

/**
 * One failed rule, with how far it missed.
 *
 * @example
 * ```ts
 * const r: Rejection = { rule: "accuracy_drop", message: "accuracy drop 0.013 > limit 0.01 by 0.003", by: 0.003 };
 * ```
 */
export interface Rejection {
  readonly rule: "accuracy_drop" | "accuracy_drop_upper_bound" | "latency_improvement" | "agreement";
  readonly message: string;
  /** Distance to the threshold, in the rule's unit (fraction); NaN for the agreement gate. */
  readonly by: number;
}

/**
 * The decision.
 *
 * @example
 * ```ts
 * const d: AcceptanceDecision = { accepted: false, latencyImprovement: 0.12, rejections: [] };
 * ```
 */
export interface AcceptanceDecision {
  readonly accepted: boolean;
  /** (base − cand)/base. */
  readonly latencyImprovement: number;
  readonly rejections: readonly Rejection[];
}

/**
 * Accepts a candidate when every rule holds: mean drop ≤ limit; its upper bound ≤ limit (when given and
 * required); latency improvement ≥ required; and the agreement gate passed (when given). Every failed
 * rule is reported, not only the first. A NaN anywhere fails its rule.
 *
 * @example
 * ```ts
 * acceptCandidate(
 *   { accuracyDrop: { mean: 0.013 }, latency: { baselineMs: 50, candidateMs: 44 } },
 *   { accuracyDropLimit: 0.01, latencyImprovement: 0.2 },
 * ).rejections.map((r) => r.message);
 * // ["accuracy drop 0.013 > limit 0.01 by 0.003", "latency improvement 12.0% < required 20.0%"]
 * ```
 */
export function acceptCandidate(
  evidence: AcceptanceEvidence,
  rules: AcceptanceRules = DEFAULT_ACCEPTANCE,
): AcceptanceDecision {
  const rejections: Rejection[] = [];
  const limit = rules.accuracyDropLimit;
  const { mean, upperBound, confidence } = evidence.accuracyDrop;
  if (!(mean <= limit))
    rejections.push({
      rule: "accuracy_drop",
      message: `accuracy drop ${formatNumber(mean)} > limit ${formatNumber(limit)} by ${formatNumber(mean - limit)}`,
      by: mean - limit,
    });
  if ((rules.requireUpperBound ?? true) && upperBound !== undefined && !(upperBound <= limit)) {
    const level = confidence === undefined ? "" : ` (${formatNumber(confidence * 100)}%)`;
    rejections.push({
      rule: "accuracy_drop_upper_bound",
      message: `accuracy drop upper bound${level} ${formatNumber(upperBound)} > limit ${formatNumber(limit)} by ${formatNumber(upperBound - limit)}`,
      by: upperBound - limit,
    });
  }
  const { baselineMs, candidateMs } = evidence.latency;
  const improvement = baselineMs > 0 ? (baselineMs - candidateMs) / baselineMs : Number.NaN;
  if (!(improvement >= rules.latencyImprovement))
    rejections.push({
      rule: "latency_improvement",
      message: `latency improvement ${(improvement * 100).toFixed(1)}% < required ${(rules.latencyImprovement * 100).toFixed(1)}%`,
      by: rules.latencyImprovement - improvement,
    });
  if (evidence.agreement && !evidence.agreement.agrees)
    rejections.push({
      rule: "agreement",
      message: `int8 output disagrees with fp32: ${evidence.agreement.reasons.join("; ")}`,
      by: Number.NaN,
    });
  return { accepted: rejections.length === 0, latencyImprovement: improvement, rejections };
}

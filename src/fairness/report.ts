/**
 * Group fairness of a binary classifier from per-group confusion counts: per group the selection rate,
 * TPR, FPR and accuracy with Wilson intervals; between groups Fairlearn's demographic parity difference
 * and ratio and equalized odds difference, the TPR and FPR gaps, and AIF360's disparate impact with the
 * four-fifths rule, each with a confidence interval. docs/fairness.md gives the definitions and choices.
 */

import type { GroupConfusionAccumulator, GroupCounts } from "./group-confusion.js";
import { type Interval, katzLogInterval, newcombeInterval, wilsonInterval } from "./intervals.js";

/**
 * Options of {@link fairnessReport}.
 *
 * @example
 * ```ts
 * const options: FairnessOptions = { confidence: 0.9, minGroupSize: 50, privileged: { sex: "Male" } };
 * ```
 */
export interface FairnessOptions {
  /** Confidence level of every interval, in (0, 1). Default 0.95. */
  readonly confidence?: number;
  /**
   * A rate whose denominator (events for the selection rate, labelled positives for TPR, labelled
   * negatives for FPR, labelled events for accuracy) is below this is reported with its interval but left
   * out of the between-group gaps and impact ratios, where one small group's noise would otherwise be
   * the largest gap. Default 30; 0 keeps every group with a defined rate (Fairlearn's behaviour).
   */
  readonly minGroupSize?: number;
  /**
   * Per attribute, the privileged (reference) group of the impact ratios. Default: the comparable group
   * with the highest selection rate, so every ratio is at most 1.
   */
  readonly privileged?: Readonly<Record<string, string>>;
  /** An impact ratio below this is a violation of the four-fifths rule. Default 0.8 (EEOC, 29 CFR 1607.4(D)). */
  readonly impactRatioThreshold?: number;
}

/**
 * A proportion in one group, with its Wilson interval.
 *
 * @example
 * ```ts
 * const { value, interval, comparable, note }: RateEstimate = group.truePositiveRate;
 * ```
 */
export interface RateEstimate {
  /** numerator / denominator; null when the denominator is 0. */
  readonly value: number | null;
  readonly numerator: number;
  readonly denominator: number;
  /** Wilson score interval at the report's confidence; null when the denominator is 0. */
  readonly interval: Interval | null;
  /** Whether the rate enters the between-group metrics: defined, and denominator ≥ `minGroupSize`. */
  readonly comparable: boolean;
  /** Why the value is null or the rate is not comparable; null when neither. */
  readonly note: string | null;
}

/**
 * One group's rates.
 *
 * @example
 * ```ts
 * const { group, count, labelled, selectionRate }: GroupFairness = report.attributes[0]!.groups[0]!;
 * ```
 */
export interface GroupFairness {
  readonly group: string;
  /** Events of the group, labelled or not. */
  readonly count: number;
  /** Events whose true label is known. */
  readonly labelled: number;
  /** Predicted positives / events (unlabelled events included). */
  readonly selectionRate: RateEstimate;
  /** tp / (tp + fn), the recall; null with no labelled positive. */
  readonly truePositiveRate: RateEstimate;
  /** fp / (fp + tn); null with no labelled negative. */
  readonly falsePositiveRate: RateEstimate;
  /** (tp + tn) / labelled; null with no labelled event. */
  readonly accuracy: RateEstimate;
}

/**
 * How a between-group interval was computed: Newcombe's hybrid score interval for differences, Katz's
 * log interval (adjusted by 0.5 when a count is 0) for ratios.
 *
 * @example
 * ```ts
 * const method: IntervalMethod = report.attributes[0]!.demographicParityRatio.method!; // "katz-log"
 * ```
 */
export type IntervalMethod = "newcombe" | "katz-log" | "katz-log-adjusted";

/**
 * A difference or ratio of one rate between two groups, with its interval.
 *
 * @example
 * ```ts
 * const { value, groups, interval }: GroupComparison = attribute.demographicParityDifference;
 * // groups = [highest, lowest]: value = rate(highest) − rate(lowest)
 * ```
 */
export interface GroupComparison {
  /** Null when fewer than two groups are comparable (see `note`). */
  readonly value: number | null;
  /**
   * The two groups compared, [a, b]: a difference is rate(a) − rate(b), a ratio rate(a) / rate(b). Over
   * more than two groups, max − min is the difference of the pair that attains the max and the min,
   * and the interval is that pair's: it does not account for having picked the extreme pair.
   */
  readonly groups: readonly [string, string] | null;
  readonly interval: Interval | null;
  readonly method: IntervalMethod | null;
  readonly note: string | null;
}

/**
 * Fairlearn's equalized odds difference (`agg="worst_case"`): the larger of the TPR and FPR gaps.
 *
 * @example
 * ```ts
 * const { value, component }: EqualizedOddsDifference = attribute.equalizedOddsDifference;
 * ```
 */
export interface EqualizedOddsDifference extends GroupComparison {
  /** Which gap attains the max (TPR on a tie); `groups` and `interval` are that gap's. */
  readonly component: "truePositiveRate" | "falsePositiveRate" | null;
}

/**
 * AIF360's disparate impact of one unprivileged group: SR(group) / SR(privileged).
 *
 * @example
 * ```ts
 * const { group, value, interval, violation, significant }: ImpactRatio = attribute.impactRatios[0]!;
 * ```
 */
export interface ImpactRatio {
  readonly group: string;
  /** Null when the group or the privileged group is not comparable, or SR(privileged) is 0. */
  readonly value: number | null;
  /** Katz log interval. */
  readonly interval: Interval | null;
  readonly method: "katz-log" | "katz-log-adjusted" | null;
  /** value < threshold: the four-fifths rule's verdict on the point estimate. */
  readonly violation: boolean | null;
  /** interval.upper < threshold: the ratio is below the threshold even at the upper confidence limit. */
  readonly significant: boolean | null;
  readonly note: string | null;
}

/**
 * Fairness of one sensitive attribute.
 *
 * @example
 * ```ts
 * const { attribute, demographicParityDifference, fourFifthsRule }: AttributeFairness = report.attributes[0]!;
 * ```
 */
export interface AttributeFairness {
  readonly attribute: string;
  /** Events without a value for this attribute (left out of every group). */
  readonly missing: number;
  /** Events of groups beyond `maxGroups` (counted, not reported by group). */
  readonly overflow: number;
  /** Every group seen, sorted by value, comparable or not. */
  readonly groups: GroupFairness[];
  /** max − min selection rate over comparable groups (Fairlearn's `demographic_parity_difference`). */
  readonly demographicParityDifference: GroupComparison;
  /** min / max selection rate (`demographic_parity_ratio`); groups = [min, max]. */
  readonly demographicParityRatio: GroupComparison;
  /** max − min TPR (Fairlearn's `equal_opportunity_difference`). */
  readonly truePositiveRateDifference: GroupComparison;
  /** max − min FPR. */
  readonly falsePositiveRateDifference: GroupComparison;
  /** The larger of the two gaps above; null unless both exist. */
  readonly equalizedOddsDifference: EqualizedOddsDifference;
  /** The reference group of `impactRatios`; null when none is usable (see the ratios' notes). */
  readonly privilegedGroup: string | null;
  /** Whether the privileged group was given in the options or picked as the highest selection rate. */
  readonly privilegedGroupSource: "option" | "highest-selection-rate";
  /** One per group other than the privileged one. */
  readonly impactRatios: ImpactRatio[];
  /** "violation" when any impact ratio is below the threshold; "insufficient-data" when none exists. */
  readonly fourFifthsRule: "pass" | "violation" | "insufficient-data";
}

/**
 * The fairness report of a window.
 *
 * @example
 * ```ts
 * const { confidence, minGroupSize, attributes }: FairnessReport = fairnessReport(window);
 * ```
 */
export interface FairnessReport {
  readonly confidence: number;
  readonly minGroupSize: number;
  readonly impactRatioThreshold: number;
  readonly attributes: AttributeFairness[];
}

/**
 * The options with defaults filled in and checked.
 *
 * @example
 * ```ts
 * const settings: FairnessSettings = fairnessSettings({ confidence: 0.9 }, ["sex"]);
 * ```
 */
export interface FairnessSettings {
  readonly confidence: number;
  readonly minGroupSize: number;
  readonly impactRatioThreshold: number;
  readonly privileged: Readonly<Record<string, string>>;
}

/**
 * Fills in {@link FairnessOptions}' defaults; throws on a value out of range or a privileged group given
 * for an attribute that is not declared (a configuration bug, not data).
 *
 * @example
 * ```ts
 * fairnessSettings({}, ["sex"]); // { confidence: 0.95, minGroupSize: 30, impactRatioThreshold: 0.8, privileged: {} }
 * ```
 */
export function fairnessSettings(options: FairnessOptions, attributes: readonly string[]): FairnessSettings {
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const minGroupSize = options.minGroupSize ?? 30;
  if (!Number.isSafeInteger(minGroupSize) || minGroupSize < 0) {
    throw new RangeError(`minGroupSize must be a non-negative integer, got ${minGroupSize}`);
  }
  const impactRatioThreshold = options.impactRatioThreshold ?? 0.8;
  if (!(impactRatioThreshold > 0 && Number.isFinite(impactRatioThreshold))) {
    throw new RangeError(`impactRatioThreshold must be positive, got ${impactRatioThreshold}`);
  }
  const privileged = options.privileged ?? {};
  for (const [name, group] of Object.entries(privileged)) {
    if (!attributes.includes(name)) throw new RangeError(`privileged: "${name}" is not a declared attribute`);
    if (typeof group !== "string") throw new TypeError(`privileged.${name} must be a group value (a string)`);
  }
  return { confidence, minGroupSize, impactRatioThreshold, privileged };
}

/**
 * The fairness report of a {@link GroupConfusionAccumulator}: for each attribute, every group's rates
 * with Wilson intervals and the between-group metrics with Newcombe (differences) and Katz (ratios)
 * intervals. Degenerate cases are values with a note, never throws: a group without labelled positives
 * has a null TPR; fewer than two comparable groups give null gaps.
 *
 * @example
 * ```ts
 * const report = fairnessReport(window, { privileged: { sex: "Male" } });
 * const sex = report.attributes.find((a) => a.attribute === "sex")!;
 * sex.demographicParityDifference.value; // e.g. 0.19
 * sex.impactRatios[0]!.violation; // true: the four-fifths rule is broken
 * ```
 */
export function fairnessReport(
  accumulator: GroupConfusionAccumulator,
  options: FairnessOptions = {},
): FairnessReport {
  const settings = fairnessSettings(options, accumulator.attributes);
  return {
    confidence: settings.confidence,
    minGroupSize: settings.minGroupSize,
    impactRatioThreshold: settings.impactRatioThreshold,
    attributes: accumulator.attributes.map((name) => {
      const { missing, overflow, groups } = accumulator.attribute(name);
      return attributeFairness(name, missing, overflow, groups, settings);
    }),
  };
}

/**
 * The report of one attribute from its groups' counts (shared with the multiclass variant, which calls
 * it once per class on one-vs-rest counts).
 *
 * @example
 * ```ts
 * const sex = attributeFairness("sex", 0, 0, [{ group: "F", state: countsF }, { group: "M", state: countsM }], settings);
 * ```
 */
export function attributeFairness(
  attribute: string,
  missing: number,
  overflow: number,
  counts: ReadonlyArray<{ readonly group: string; readonly state: Readonly<GroupCounts> }>,
  settings: FairnessSettings,
): AttributeFairness {
  const { confidence, minGroupSize } = settings;
  const rate = (numerator: number, denominator: number, what: string, ifEmpty: string): RateEstimate => {
    if (denominator === 0) {
      return { value: null, numerator, denominator, interval: null, comparable: false, note: ifEmpty };
    }
    const comparable = denominator >= minGroupSize;
    return {
      value: numerator / denominator,
      numerator,
      denominator,
      interval: wilsonInterval(numerator, denominator, confidence),
      comparable,
      note: comparable ? null : `${denominator} ${what}, fewer than minGroupSize (${minGroupSize})`,
    };
  };
  const groups: GroupFairness[] = counts.map(({ group, state: c }) => {
    const labelled = c.tp + c.fp + c.tn + c.fn;
    const count = labelled + c.unlabelledPositive + c.unlabelledNegative;
    return {
      group,
      count,
      labelled,
      selectionRate: rate(c.tp + c.fp + c.unlabelledPositive, count, "events", "no events"),
      truePositiveRate: rate(c.tp, c.tp + c.fn, "labelled positives", "no labelled positives"),
      falsePositiveRate: rate(c.fp, c.fp + c.tn, "labelled negatives", "no labelled negatives"),
      accuracy: rate(c.tp + c.tn, labelled, "labelled events", "no labelled events"),
    };
  });

  const selection = differenceOf(groups, (g) => g.selectionRate, confidence, "selection rates");
  const tpr = differenceOf(groups, (g) => g.truePositiveRate, confidence, "true positive rates");
  const fpr = differenceOf(groups, (g) => g.falsePositiveRate, confidence, "false positive rates");
  const impact = impactRatios(attribute, groups, settings);
  const violations = impact.ratios.filter((r) => r.violation !== null);
  return {
    attribute,
    missing,
    overflow,
    groups,
    demographicParityDifference: selection.difference,
    demographicParityRatio: selection.ratio,
    truePositiveRateDifference: tpr.difference,
    falsePositiveRateDifference: fpr.difference,
    equalizedOddsDifference: equalizedOdds(tpr.difference, fpr.difference),
    privilegedGroup: impact.privileged,
    privilegedGroupSource: impact.source,
    impactRatios: impact.ratios,
    fourFifthsRule:
      violations.length === 0
        ? "insufficient-data"
        : violations.some((r) => r.violation)
          ? "violation"
          : "pass",
  };
}

/** max − min (Newcombe) and min / max (Katz) of one rate over the comparable groups. */
function differenceOf(
  groups: readonly GroupFairness[],
  pick: (g: GroupFairness) => RateEstimate,
  confidence: number,
  what: string,
): { difference: GroupComparison; ratio: GroupComparison } {
  const comparable = groups.filter((g) => pick(g).comparable);
  if (comparable.length < 2) {
    const empty = none(`fewer than two groups with comparable ${what} (${comparable.length})`);
    return { difference: empty, ratio: empty };
  }
  // The first group attaining the max and the last attaining the min: two distinct groups even when all
  // rates are equal (then both the difference and its point estimate are 0 / 1).
  let high = comparable[0]!;
  let low = comparable[0]!;
  for (const g of comparable) {
    if (pick(g).value! > pick(high).value!) high = g;
    if (pick(g).value! <= pick(low).value!) low = g;
  }
  const h = pick(high);
  const l = pick(low);
  const difference: GroupComparison = {
    value: h.value! - l.value!,
    groups: [high.group, low.group],
    interval: newcombeInterval(h.numerator, h.denominator, l.numerator, l.denominator, confidence),
    method: "newcombe",
    note: null,
  };
  if (h.value === 0) {
    return { difference, ratio: none(`every comparable group has ${what} 0: the ratio is 0/0`) };
  }
  const katz = katzLogInterval(l.numerator, l.denominator, h.numerator, h.denominator, confidence)!;
  return {
    difference,
    ratio: {
      value: l.value! / h.value!,
      groups: [low.group, high.group],
      interval: { lower: katz.lower, upper: katz.upper },
      method: katz.method,
      note: null,
    },
  };
}

function equalizedOdds(tpr: GroupComparison, fpr: GroupComparison): EqualizedOddsDifference {
  if (tpr.value === null || fpr.value === null) {
    const missing = tpr.value === null ? tpr : fpr;
    return { ...none(`needs both rate gaps: ${missing.note}`), component: null };
  }
  return tpr.value >= fpr.value
    ? { ...tpr, component: "truePositiveRate" }
    : { ...fpr, component: "falsePositiveRate" };
}

function impactRatios(
  attribute: string,
  groups: readonly GroupFairness[],
  settings: FairnessSettings,
): { privileged: string | null; source: "option" | "highest-selection-rate"; ratios: ImpactRatio[] } {
  const { confidence, impactRatioThreshold } = settings;
  const chosen = settings.privileged[attribute];
  const source = chosen === undefined ? "highest-selection-rate" : "option";
  let privileged: GroupFairness | undefined;
  let problem: string | null = null;
  if (chosen !== undefined) {
    privileged = groups.find((g) => g.group === chosen);
    if (privileged === undefined) problem = `the privileged group "${chosen}" was not seen`;
    else if (!privileged.selectionRate.comparable) {
      problem = `the privileged group "${chosen}" is not comparable: ${privileged.selectionRate.note}`;
    }
  } else {
    for (const g of groups) {
      if (!g.selectionRate.comparable) continue;
      if (privileged === undefined || g.selectionRate.value! > privileged.selectionRate.value!)
        privileged = g;
    }
    if (privileged === undefined) problem = "no group has a comparable selection rate";
  }
  if (problem === null && privileged!.selectionRate.value === 0) {
    problem = `the privileged group "${privileged!.group}" has selection rate 0`;
  }
  const ratios: ImpactRatio[] = groups
    .filter((g) => g !== privileged)
    .map((g) => {
      const blank = {
        group: g.group,
        value: null,
        interval: null,
        method: null,
        violation: null,
        significant: null,
      };
      if (problem !== null) return { ...blank, note: problem };
      if (!g.selectionRate.comparable) return { ...blank, note: g.selectionRate.note };
      const p = privileged!.selectionRate;
      const s = g.selectionRate;
      const value = s.value! / p.value!;
      const katz = katzLogInterval(s.numerator, s.denominator, p.numerator, p.denominator, confidence)!;
      return {
        group: g.group,
        value,
        interval: { lower: katz.lower, upper: katz.upper },
        method: katz.method,
        violation: value < impactRatioThreshold,
        significant: katz.upper < impactRatioThreshold,
        note: null,
      };
    });
  return {
    privileged: problem === null ? privileged!.group : null,
    source,
    ratios,
  };
}

function none(note: string): GroupComparison {
  return { value: null, groups: null, interval: null, method: null, note };
}

/**
 * The regression variant. Neither Fairlearn (issue #1313) nor AIF360 (issue #232) ships regression
 * fairness metrics; the natural analogues of the binary ones are the per-group mean prediction (the
 * analogue of the selection rate: does the model give some groups systematically higher scores?) and the
 * per-group mean error, prediction − truth (the analogue of error-rate parity: is the model biased up for
 * some groups and down for others?). "Parity" is then the difference of group means, max − min, with
 * Welch's interval for the pair attaining it. Each group keeps (n, mean, M2) by Welford's update, merged
 * by Chan et al.'s formula, so windows merge exactly and no row is kept.
 */

import { expectCount, expectFormat, expectNumber, expectRecord } from "../metrics/json.js";
import type { GroupAccumulatorOptions } from "./group-confusion.js";
import {
  type AttributeGroups,
  DEFAULT_MAX_GROUPS,
  type GroupStateOps,
  GroupTable,
  type SensitiveGroups,
} from "./group-table.js";
import { type Interval, meanInterval, welchInterval } from "./intervals.js";
import type { FairnessOptions } from "./report.js";

const FORMAT = "tiktoktoe.fairness.group-regression";
const VERSION = 1;

/**
 * Running count, mean and sum of squared deviations (M2) of one quantity.
 *
 * @example
 * ```ts
 * const { count, mean, m2 }: Moments = state.prediction;
 * ```
 */
export interface Moments {
  count: number;
  mean: number;
  m2: number;
}

/**
 * One group's state: moments of the predictions (every event) and of the errors (labelled events).
 *
 * @example
 * ```ts
 * const { prediction, error }: RegressionGroupState = accumulator.attribute("sex").groups[0]!.state;
 * ```
 */
export interface RegressionGroupState {
  readonly prediction: Moments;
  /** Of prediction − truth. */
  readonly error: Moments;
}

/**
 * The JSON form of a {@link GroupRegressionAccumulator} (format version 1).
 *
 * @example
 * ```ts
 * const stored = JSON.stringify(accumulator); // a GroupRegressionJson
 * ```
 */
export interface GroupRegressionJson {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly maxGroups: number;
  readonly attributes: Array<{
    readonly name: string;
    readonly missing: number;
    readonly overflow: number;
    readonly groups: Array<{ readonly group: string } & RegressionGroupState>;
  }>;
}

function update(m: Moments, x: number): void {
  m.count += 1;
  const delta = x - m.mean;
  m.mean += delta / m.count;
  m.m2 += delta * (x - m.mean);
}

/** Chan, Golub & LeVeque's pairwise combination: exact in exact arithmetic, stable in floating point. */
function combine(into: Moments, from: Moments): void {
  if (from.count === 0) return;
  if (into.count === 0) {
    into.count = from.count;
    into.mean = from.mean;
    into.m2 = from.m2;
    return;
  }
  const count = into.count + from.count;
  const delta = from.mean - into.mean;
  into.mean += (delta * from.count) / count;
  into.m2 += from.m2 + (delta * delta * into.count * from.count) / count;
  into.count = count;
}

function momentsFromJSON(value: unknown, what: string): Moments {
  const record = expectRecord(value, what);
  const m = {
    count: expectCount(record.count, `${what}.count`),
    mean: expectNumber(record.mean, `${what}.mean`),
    m2: expectNumber(record.m2, `${what}.m2`),
  };
  if (m.m2 < 0) throw new RangeError(`fromJSON: ${what}.m2 must not be negative`);
  return m;
}

const regressionOps: GroupStateOps<RegressionGroupState> = {
  create: () => ({ prediction: { count: 0, mean: 0, m2: 0 }, error: { count: 0, mean: 0, m2: 0 } }),
  merge(into, from) {
    combine(into.prediction, from.prediction);
    combine(into.error, from.error);
  },
  clone: (s) => ({ prediction: { ...s.prediction }, error: { ...s.error } }),
  total: (s) => s.prediction.count,
  toJSON: (s) => ({ prediction: { ...s.prediction }, error: { ...s.error } }),
  fromJSON: (record, what) => ({
    prediction: momentsFromJSON(record.prediction, `${what}.prediction`),
    error: momentsFromJSON(record.error, `${what}.error`),
  }),
};

/**
 * Accumulates one window of a regression model's predictions by sensitive attribute and group. Pure;
 * memory six numbers per group, at most `maxGroups` groups per attribute. Means are plain doubles
 * (unlike src/metrics' R², nothing here subtracts two nearly equal large sums), so predictions offset by
 * 1e9 keep about seven significant digits of their spread.
 *
 * @example
 * ```ts
 * const window = new GroupRegressionAccumulator({ attributes: ["sex"] });
 * window.add({ sex: "F" }, 41_000, 39_500); // truth, prediction
 * window.add({ sex: "M" }, null, 52_000); // not labelled yet: mean prediction only
 * regressionFairnessReport(window).attributes[0]!.meanPredictionDifference;
 * ```
 */
export class GroupRegressionAccumulator {
  private readonly table: GroupTable<RegressionGroupState>;

  constructor(options: GroupAccumulatorOptions) {
    this.table = new GroupTable(options.attributes, options.maxGroups ?? DEFAULT_MAX_GROUPS, regressionOps);
  }

  /** The declared sensitive attributes, in declaration order. */
  get attributes(): readonly string[] {
    return this.table.attributes;
  }

  /** Groups kept per attribute. */
  get maxGroups(): number {
    return this.table.maxGroups;
  }

  /**
   * Counts one prediction `yPred` with its true value `yTrue`, or null while unknown. Throws, changing
   * nothing, on a non-finite number or an undeclared attribute.
   */
  add(groups: SensitiveGroups, yTrue: number | null, yPred: number): void {
    this.table.validate(groups);
    if (typeof yPred !== "number" || !Number.isFinite(yPred))
      throw new RangeError(`yPred must be finite, got ${yPred}`);
    if (yTrue !== null && (typeof yTrue !== "number" || !Number.isFinite(yTrue))) {
      throw new RangeError(`yTrue must be finite or null, got ${yTrue}`);
    }
    for (const state of this.table.resolve(groups)) {
      if (state === null) continue;
      update(state.prediction, yPred);
      if (yTrue !== null) update(state.error, yPred - yTrue);
    }
  }

  /** Adds another window of the same attributes; `other` is not changed. */
  merge(other: GroupRegressionAccumulator): this {
    this.table.merge(other.table);
    return this;
  }

  /** One attribute's groups and their states, sorted by group value. */
  attribute(name: string): AttributeGroups<RegressionGroupState> {
    return this.table.attribute(name);
  }

  /** The state as JSON ({@link GroupRegressionJson}); `fromJSON` restores it exactly. */
  toJSON(): GroupRegressionJson {
    return { format: FORMAT, version: VERSION, ...this.table.toJSON() } as GroupRegressionJson;
  }

  /** Restores an accumulator from {@link GroupRegressionAccumulator.toJSON}'s form (parsed JSON). */
  static fromJSON(value: unknown): GroupRegressionAccumulator {
    const record = expectFormat(value, FORMAT, VERSION);
    const table = GroupTable.fromJSON(record, regressionOps);
    const accumulator = new GroupRegressionAccumulator({
      attributes: table.attributes,
      maxGroups: table.maxGroups,
    });
    accumulator.table.merge(table);
    return accumulator;
  }
}

/**
 * A group mean with Student's interval.
 *
 * @example
 * ```ts
 * const { value, count, standardDeviation, interval, comparable }: MeanEstimate = group.meanPrediction;
 * ```
 */
export interface MeanEstimate {
  /** Null with no value. */
  readonly value: number | null;
  readonly count: number;
  /** Sample standard deviation (ddof 1); null with fewer than two values. */
  readonly standardDeviation: number | null;
  /** x̄ ± t(n − 1)·s/√n; null with fewer than two values. */
  readonly interval: Interval | null;
  /** Whether the mean enters the between-group difference: count ≥ max(2, minGroupSize). */
  readonly comparable: boolean;
  readonly note: string | null;
}

/**
 * One group of the regression report.
 *
 * @example
 * ```ts
 * const { group, count, labelled, meanPrediction, meanError }: RegressionGroupFairness = attribute.groups[0]!;
 * ```
 */
export interface RegressionGroupFairness {
  readonly group: string;
  readonly count: number;
  readonly labelled: number;
  readonly meanPrediction: MeanEstimate;
  /** Mean of prediction − truth over labelled events: positive when the model over-predicts the group. */
  readonly meanError: MeanEstimate;
}

/**
 * max − min of a group mean, with Welch's interval for that pair.
 *
 * @example
 * ```ts
 * const { value, groups, interval, degreesOfFreedom }: MeanDifference = attribute.meanPredictionDifference;
 * ```
 */
export interface MeanDifference {
  readonly value: number | null;
  /** [highest, lowest]: value = mean(highest) − mean(lowest). */
  readonly groups: readonly [string, string] | null;
  readonly interval: Interval | null;
  /** Welch–Satterthwaite degrees of freedom of the interval. */
  readonly degreesOfFreedom: number | null;
  readonly note: string | null;
}

/**
 * Regression fairness of one attribute.
 *
 * @example
 * ```ts
 * const { attribute, groups, meanPredictionDifference, meanErrorDifference }: RegressionAttributeFairness =
 *   report.attributes[0]!;
 * ```
 */
export interface RegressionAttributeFairness {
  readonly attribute: string;
  readonly missing: number;
  readonly overflow: number;
  readonly groups: RegressionGroupFairness[];
  /** The "statistical parity" analogue: do some groups get systematically higher predictions? */
  readonly meanPredictionDifference: MeanDifference;
  /** The error-parity analogue: is the model biased differently for different groups? */
  readonly meanErrorDifference: MeanDifference;
}

/**
 * The regression fairness report.
 *
 * @example
 * ```ts
 * const { confidence, minGroupSize, attributes }: RegressionFairnessReport = regressionFairnessReport(window);
 * ```
 */
export interface RegressionFairnessReport {
  readonly confidence: number;
  readonly minGroupSize: number;
  readonly attributes: RegressionAttributeFairness[];
}

/**
 * The fairness report of a {@link GroupRegressionAccumulator}: per group the mean prediction and mean
 * error with Student intervals; per attribute the max − min of each, with Welch's interval for the pair
 * attaining it. `confidence` (default 0.95) and `minGroupSize` (default 30) as in {@link fairnessReport};
 * the binary-only options are ignored.
 *
 * @example
 * ```ts
 * const report = regressionFairnessReport(window, { minGroupSize: 50 });
 * report.attributes[0]!.meanErrorDifference.value; // e.g. 1,250 (dollars)
 * ```
 */
export function regressionFairnessReport(
  accumulator: GroupRegressionAccumulator,
  options: Pick<FairnessOptions, "confidence" | "minGroupSize"> = {},
): RegressionFairnessReport {
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const minGroupSize = options.minGroupSize ?? 30;
  if (!Number.isSafeInteger(minGroupSize) || minGroupSize < 0) {
    throw new RangeError(`minGroupSize must be a non-negative integer, got ${minGroupSize}`);
  }
  const estimate = (m: Moments, what: string): MeanEstimate => {
    if (m.count === 0) {
      return {
        value: null,
        count: 0,
        standardDeviation: null,
        interval: null,
        comparable: false,
        note: `no ${what}`,
      };
    }
    const variance = m.count > 1 ? m.m2 / (m.count - 1) : null;
    const floor = Math.max(2, minGroupSize);
    const comparable = m.count >= floor;
    return {
      value: m.mean,
      count: m.count,
      standardDeviation: variance === null ? null : Math.sqrt(variance),
      interval:
        variance === null ? null : meanInterval({ count: m.count, mean: m.mean, variance }, confidence),
      comparable,
      note: comparable ? null : `${m.count} ${what}, fewer than max(2, minGroupSize) (${floor})`,
    };
  };
  return {
    confidence,
    minGroupSize,
    attributes: accumulator.attributes.map((name) => {
      const { missing, overflow, groups } = accumulator.attribute(name);
      const rows = groups.map(({ group, state }) => ({
        report: {
          group,
          count: state.prediction.count,
          labelled: state.error.count,
          meanPrediction: estimate(state.prediction, "events"),
          meanError: estimate(state.error, "labelled events"),
        },
        state,
      }));
      return {
        attribute: name,
        missing,
        overflow,
        groups: rows.map((r) => r.report),
        meanPredictionDifference: meanDifference(rows, "meanPrediction", "prediction", confidence),
        meanErrorDifference: meanDifference(rows, "meanError", "error", confidence),
      };
    }),
  };
}

function meanDifference(
  rows: ReadonlyArray<{ report: RegressionGroupFairness; state: Readonly<RegressionGroupState> }>,
  key: "meanPrediction" | "meanError",
  moments: "prediction" | "error",
  confidence: number,
): MeanDifference {
  const comparable = rows.filter((r) => r.report[key].comparable);
  if (comparable.length < 2) {
    return {
      value: null,
      groups: null,
      interval: null,
      degreesOfFreedom: null,
      note: `fewer than two groups with a comparable mean (${comparable.length})`,
    };
  }
  // First max, last min: two distinct groups even when every mean is equal.
  let high = comparable[0]!;
  let low = comparable[0]!;
  for (const r of comparable) {
    if (r.report[key].value! > high.report[key].value!) high = r;
    if (r.report[key].value! <= low.report[key].value!) low = r;
  }
  const summary = (m: Moments) => ({ count: m.count, mean: m.mean, variance: m.m2 / (m.count - 1) });
  const welch = welchInterval(summary(high.state[moments]), summary(low.state[moments]), confidence);
  return {
    value: high.report[key].value! - low.report[key].value!,
    groups: [high.report.group, low.report.group],
    interval: welch === null ? null : { lower: welch.lower, upper: welch.upper },
    degreesOfFreedom: welch === null ? null : welch.degreesOfFreedom,
    note: welch === null ? "both groups have zero variance: Welch's interval does not exist" : null,
  };
}

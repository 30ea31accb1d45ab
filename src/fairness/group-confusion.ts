/**
 * Per-group confusion counts of a binary classifier: the streaming state behind every group fairness
 * metric of {@link fairnessReport}. Fairlearn's `MetricFrame` recomputes from the rows (its streaming
 * proposals only concatenated batches); four counts per group are enough for selection rate, TPR, FPR and
 * accuracy and for their intervals, so a window merges by adding counts and never keeps a row.
 */

import { expectCount, expectFormat } from "../metrics/json.js";
import {
  type AttributeGroups,
  DEFAULT_MAX_GROUPS,
  type GroupStateOps,
  GroupTable,
  type SensitiveGroups,
} from "./group-table.js";

const FORMAT = "tiktoktoe.fairness.group-confusion";
const VERSION = 1;

/**
 * One group's counts. Unlabelled events (true label not known yet) count toward the selection rate only.
 *
 * @example
 * ```ts
 * const { tp, fp, tn, fn }: GroupCounts = accumulator.attribute("sex").groups[0]!.state;
 * ```
 */
export interface GroupCounts {
  /** Labelled positive, predicted positive. */
  tp: number;
  /** Labelled negative, predicted positive. */
  fp: number;
  /** Labelled negative, predicted negative. */
  tn: number;
  /** Labelled positive, predicted negative. */
  fn: number;
  /** Not labelled yet, predicted positive. */
  unlabelledPositive: number;
  /** Not labelled yet, predicted negative. */
  unlabelledNegative: number;
}

/**
 * Options of a {@link GroupConfusionAccumulator}.
 *
 * @example
 * ```ts
 * const options: GroupAccumulatorOptions = { attributes: ["sex", "race"], maxGroups: 200 };
 * ```
 */
export interface GroupAccumulatorOptions {
  /**
   * The sensitive attributes, each reported separately. For an intersection, declare one more attribute
   * (say `"sex|race"`) and pass the joined value (`"Female|Black"`).
   */
  readonly attributes: readonly string[];
  /** Groups kept per attribute; events of further values count as overflow. Default 1,000. */
  readonly maxGroups?: number;
}

/**
 * The JSON form of a {@link GroupConfusionAccumulator} (format version 1). Groups are an array, not an
 * object keyed by value, so a group called `__proto__` survives the round trip.
 *
 * @example
 * ```ts
 * const stored = JSON.stringify(accumulator); // a GroupConfusionJson
 * ```
 */
export interface GroupConfusionJson {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly maxGroups: number;
  readonly attributes: Array<{
    readonly name: string;
    readonly missing: number;
    readonly overflow: number;
    readonly groups: Array<{ readonly group: string } & Readonly<GroupCounts>>;
  }>;
}

const COUNT_KEYS = ["tp", "fp", "tn", "fn", "unlabelledPositive", "unlabelledNegative"] as const;

const countsOps: GroupStateOps<GroupCounts> = {
  create: () => ({ tp: 0, fp: 0, tn: 0, fn: 0, unlabelledPositive: 0, unlabelledNegative: 0 }),
  merge(into, from) {
    for (const key of COUNT_KEYS) into[key] += from[key];
  },
  clone: (state) => ({ ...state }),
  total: (s) => s.tp + s.fp + s.tn + s.fn + s.unlabelledPositive + s.unlabelledNegative,
  toJSON: (state) => ({ ...state }),
  fromJSON(record, what) {
    const counts = countsOps.create();
    for (const key of COUNT_KEYS) counts[key] = expectCount(record[key], `${what}.${key}`);
    return counts;
  },
};

/**
 * Accumulates one window of a binary classifier's predictions, by sensitive attribute and group: the
 * confusion counts (tp, fp, tn, fn) of labelled events and the predicted class of unlabelled ones. Pure:
 * no I/O, no clock. Memory: six counts per group, at most `maxGroups` groups per attribute.
 *
 * @example
 * ```ts
 * const window = new GroupConfusionAccumulator({ attributes: ["sex", "race"] });
 * window.add({ sex: "Female", race: "Black" }, true, false); // a false negative in both groups
 * window.add({ sex: "Male", race: null }, null, true); // race unknown; label not known yet
 * fairnessReport(window).attributes[0]!.groups; // Female, Male
 * ```
 */
export class GroupConfusionAccumulator {
  private readonly table: GroupTable<GroupCounts>;

  constructor(options: GroupAccumulatorOptions) {
    this.table = new GroupTable(options.attributes, options.maxGroups ?? DEFAULT_MAX_GROUPS, countsOps);
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
   * Counts one prediction: `yPred` the predicted class (true = positive), `yTrue` the true class or null
   * while it is not known (then the event counts toward the selection rate only). Throws, changing
   * nothing, on an undeclared attribute, a non-string group value, or a non-boolean class.
   */
  add(groups: SensitiveGroups, yTrue: boolean | null, yPred: boolean): void {
    this.table.validate(groups);
    if (typeof yPred !== "boolean") throw new TypeError(`yPred must be a boolean, got ${typeof yPred}`);
    if (yTrue !== null && typeof yTrue !== "boolean") {
      throw new TypeError(`yTrue must be a boolean or null, got ${typeof yTrue}`);
    }
    const key: keyof GroupCounts =
      yTrue === null
        ? yPred
          ? "unlabelledPositive"
          : "unlabelledNegative"
        : yTrue
          ? yPred
            ? "tp"
            : "fn"
          : yPred
            ? "fp"
            : "tn";
    for (const counts of this.table.resolve(groups)) if (counts !== null) counts[key] += 1;
  }

  /**
   * Completes an event counted earlier without its label (`add(groups, null, yPred)`): its prediction
   * moves from the unlabelled counts to the confusion cell of `yTrue`. Labels arrive late, so a window
   * counts each event once, at ingest, and each label when it comes. An event never counted unlabelled
   * (e.g. before a restart that lost it) is counted as a labelled one instead.
   */
  label(groups: SensitiveGroups, yTrue: boolean, yPred: boolean): void {
    const from: keyof GroupCounts = yPred ? "unlabelledPositive" : "unlabelledNegative";
    const to: keyof GroupCounts = yTrue ? (yPred ? "tp" : "fn") : yPred ? "fp" : "tn";
    const states = this.table.lookup(groups);
    const unseen = this.table.attributes.some((name, i) => {
      const value = groups[name];
      return value !== null && value !== undefined && states[i] === null;
    });
    if (unseen || states.some((s) => s !== null && s[from] === 0)) {
      this.add(groups, yTrue, yPred);
      return;
    }
    for (const counts of states)
      if (counts !== null) {
        counts[from] -= 1;
        counts[to] += 1;
      }
  }

  /** Adds another window of the same attributes; `other` is not changed. */
  merge(other: GroupConfusionAccumulator): this {
    this.table.merge(other.table);
    return this;
  }

  /** One attribute's groups and their counts, sorted by group value. */
  attribute(name: string): AttributeGroups<GroupCounts> {
    return this.table.attribute(name);
  }

  /** The state as JSON ({@link GroupConfusionJson}); `fromJSON` restores it exactly. */
  toJSON(): GroupConfusionJson {
    return { format: FORMAT, version: VERSION, ...this.table.toJSON() } as GroupConfusionJson;
  }

  /** Restores an accumulator from {@link GroupConfusionAccumulator.toJSON}'s form (parsed JSON). */
  static fromJSON(value: unknown): GroupConfusionAccumulator {
    const record = expectFormat(value, FORMAT, VERSION);
    const table = GroupTable.fromJSON(record, countsOps);
    const accumulator = new GroupConfusionAccumulator({
      attributes: table.attributes,
      maxGroups: table.maxGroups,
    });
    accumulator.table.merge(table);
    return accumulator;
  }
}

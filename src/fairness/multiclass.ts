/**
 * The multiclass variant: per group a confusion matrix over the declared classes, reported one-vs-rest.
 * For each class k, "predicted k" is the selection and "true class k" the positive label, which turns
 * every group's matrix into binary counts and reuses the binary report unchanged; the attribute's parity
 * and equalized odds differences are then the worst (largest) over classes. Fairlearn suggests the same
 * one-vs-rest reduction (its `equalized_odds_difference` rejects multiclass input, issue #1212).
 */

import { expectArray, expectCount, expectFormat, expectString } from "../metrics/json.js";
import type { GroupAccumulatorOptions, GroupCounts } from "./group-confusion.js";
import {
  type AttributeGroups,
  DEFAULT_MAX_GROUPS,
  type GroupStateOps,
  GroupTable,
  type SensitiveGroups,
} from "./group-table.js";
import {
  type AttributeFairness,
  attributeFairness,
  type EqualizedOddsDifference,
  type FairnessOptions,
  fairnessSettings,
  type GroupComparison,
} from "./report.js";

const FORMAT = "tiktoktoe.fairness.group-multiclass";
const VERSION = 1;

/**
 * One group's state: `matrix[i][j]` counts labelled events of true class i predicted j (classes in
 * declaration order); `unlabelled[j]` counts events predicted j whose label is not known yet.
 *
 * @example
 * ```ts
 * const { matrix, unlabelled }: MulticlassGroupState = accumulator.attribute("sex").groups[0]!.state;
 * ```
 */
export interface MulticlassGroupState {
  readonly matrix: number[][];
  readonly unlabelled: number[];
}

/**
 * Options of a {@link GroupMulticlassAccumulator}.
 *
 * @example
 * ```ts
 * const options: GroupMulticlassOptions = { attributes: ["sex"], classes: ["low", "mid", "high"] };
 * ```
 */
export interface GroupMulticlassOptions extends GroupAccumulatorOptions {
  /** The classes, at least two, distinct; declared up front so that memory is bounded and merges align. */
  readonly classes: readonly string[];
}

/**
 * The JSON form of a {@link GroupMulticlassAccumulator} (format version 1).
 *
 * @example
 * ```ts
 * const stored = JSON.stringify(accumulator); // a GroupMulticlassJson
 * ```
 */
export interface GroupMulticlassJson {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly classes: string[];
  readonly maxGroups: number;
  readonly attributes: Array<{
    readonly name: string;
    readonly missing: number;
    readonly overflow: number;
    readonly groups: Array<{
      readonly group: string;
      readonly matrix: number[][];
      readonly unlabelled: number[];
    }>;
  }>;
}

function stateOps(k: number): GroupStateOps<MulticlassGroupState> {
  const ops: GroupStateOps<MulticlassGroupState> = {
    create: () => ({
      matrix: Array.from({ length: k }, () => new Array<number>(k).fill(0)),
      unlabelled: new Array<number>(k).fill(0),
    }),
    merge(into, from) {
      for (let i = 0; i < k; i++) {
        into.unlabelled[i]! += from.unlabelled[i]!;
        for (let j = 0; j < k; j++) into.matrix[i]![j]! += from.matrix[i]![j]!;
      }
    },
    clone: (s) => ({ matrix: s.matrix.map((row) => [...row]), unlabelled: [...s.unlabelled] }),
    total(s) {
      let n = 0;
      for (let i = 0; i < k; i++) {
        n += s.unlabelled[i]!;
        for (let j = 0; j < k; j++) n += s.matrix[i]![j]!;
      }
      return n;
    },
    toJSON: (s) => ops.clone(s) as unknown as Record<string, unknown>,
    fromJSON(record, what) {
      const matrix = expectArray(record.matrix, `${what}.matrix`);
      const unlabelled = expectArray(record.unlabelled, `${what}.unlabelled`);
      if (matrix.length !== k || unlabelled.length !== k) {
        throw new RangeError(`fromJSON: ${what} must have one row and one unlabelled count per class`);
      }
      return {
        matrix: matrix.map((row, i) => {
          const values = expectArray(row, `${what}.matrix[${i}]`);
          if (values.length !== k) throw new RangeError(`fromJSON: ${what}.matrix must be square`);
          return values.map((v, j) => expectCount(v, `${what}.matrix[${i}][${j}]`));
        }),
        unlabelled: unlabelled.map((v, j) => expectCount(v, `${what}.unlabelled[${j}]`)),
      };
    },
  };
  return ops;
}

/**
 * Accumulates one window of a multiclass classifier's predictions by sensitive attribute and group. Pure;
 * memory k² + k counts per group for k classes, at most `maxGroups` groups per attribute.
 *
 * @example
 * ```ts
 * const window = new GroupMulticlassAccumulator({ attributes: ["sex"], classes: ["a", "b", "c"] });
 * window.add({ sex: "F" }, "a", "b");
 * window.add({ sex: "M" }, null, "c"); // not labelled yet: selection rates only
 * multiclassFairnessReport(window).attributes[0]!.demographicParityDifference;
 * ```
 */
export class GroupMulticlassAccumulator {
  readonly classes: readonly string[];
  private readonly index = new Map<string, number>();
  private readonly table: GroupTable<MulticlassGroupState>;

  constructor(options: GroupMulticlassOptions) {
    if (!Array.isArray(options.classes) || options.classes.length < 2) {
      throw new RangeError("classes must name at least two classes");
    }
    for (const c of options.classes) {
      if (typeof c !== "string") throw new TypeError("classes must be strings");
      if (this.index.has(c)) throw new RangeError(`class "${c}" is declared twice`);
      this.index.set(c, this.index.size);
    }
    this.classes = [...options.classes];
    this.table = new GroupTable(
      options.attributes,
      options.maxGroups ?? DEFAULT_MAX_GROUPS,
      stateOps(this.classes.length),
    );
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
   * Counts one prediction: `yPred` the predicted class, `yTrue` the true class or null while unknown.
   * Throws, changing nothing, on an undeclared class or attribute.
   */
  add(groups: SensitiveGroups, yTrue: string | null, yPred: string): void {
    this.table.validate(groups);
    const j = this.index.get(yPred);
    if (j === undefined) throw new RangeError(`predicted class ${JSON.stringify(yPred)} is not declared`);
    const i = yTrue === null ? null : this.index.get(yTrue);
    if (i === undefined) throw new RangeError(`true class ${JSON.stringify(yTrue)} is not declared`);
    for (const state of this.table.resolve(groups)) {
      if (state === null) continue;
      if (i === null) state.unlabelled[j]! += 1;
      else state.matrix[i]![j]! += 1;
    }
  }

  /** Adds another window of the same attributes and classes; `other` is not changed. */
  merge(other: GroupMulticlassAccumulator): this {
    if (other.classes.length !== this.classes.length || other.classes.some((c, i) => c !== this.classes[i])) {
      throw new RangeError("cannot merge multiclass fairness accumulators with different classes");
    }
    this.table.merge(other.table);
    return this;
  }

  /** One attribute's groups and their states, sorted by group value. */
  attribute(name: string): AttributeGroups<MulticlassGroupState> {
    return this.table.attribute(name);
  }

  /** The state as JSON ({@link GroupMulticlassJson}); `fromJSON` restores it exactly. */
  toJSON(): GroupMulticlassJson {
    return {
      format: FORMAT,
      version: VERSION,
      classes: [...this.classes],
      ...this.table.toJSON(),
    } as GroupMulticlassJson;
  }

  /** Restores an accumulator from {@link GroupMulticlassAccumulator.toJSON}'s form (parsed JSON). */
  static fromJSON(value: unknown): GroupMulticlassAccumulator {
    const record = expectFormat(value, FORMAT, VERSION);
    const classes = expectArray(record.classes, "classes").map((c, i) => expectString(c, `classes[${i}]`));
    const table = GroupTable.fromJSON(record, stateOps(classes.length));
    const accumulator = new GroupMulticlassAccumulator({
      attributes: table.attributes,
      maxGroups: table.maxGroups,
      classes,
    });
    accumulator.table.merge(table);
    return accumulator;
  }
}

/**
 * One-vs-rest binary counts of class index `k` from a group's multiclass state: tp = M[k][k],
 * fn = row k's other cells, fp = column k's other cells, tn = the rest of the labelled events; the
 * unlabelled events predicted k are the unlabelled positives (sklearn's `multilabel_confusion_matrix`).
 *
 * @example
 * ```ts
 * oneVsRestCounts({ matrix: [[5, 1], [2, 7]], unlabelled: [3, 0] }, 0);
 * // { tp: 5, fn: 1, fp: 2, tn: 7, unlabelledPositive: 3, unlabelledNegative: 0 }
 * ```
 */
export function oneVsRestCounts(state: Readonly<MulticlassGroupState>, k: number): GroupCounts {
  const n = state.matrix.length;
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new RangeError(`class index ${k} out of range`);
  let fn = 0;
  let fp = 0;
  let labelled = 0;
  let unlabelled = 0;
  for (let i = 0; i < n; i++) {
    unlabelled += state.unlabelled[i]!;
    for (let j = 0; j < n; j++) labelled += state.matrix[i]![j]!;
    if (i !== k) {
      fn += state.matrix[k]![i]!;
      fp += state.matrix[i]![k]!;
    }
  }
  const tp = state.matrix[k]![k]!;
  const up = state.unlabelled[k]!;
  return {
    tp,
    fn,
    fp,
    tn: labelled - tp - fn - fp,
    unlabelledPositive: up,
    unlabelledNegative: unlabelled - up,
  };
}

/**
 * A between-group metric's worst class.
 *
 * @example
 * ```ts
 * const { value, class: worst }: WorstClass<GroupComparison> = attribute.demographicParityDifference;
 * ```
 */
export type WorstClass<C extends GroupComparison> = C & {
  /** The class attaining the max over classes (the first, in declaration order, on a tie); null with no value. */
  readonly class: string | null;
};

/**
 * Multiclass fairness of one attribute: the binary report of each class (one-vs-rest), and the worst
 * class's parity and equalized odds differences.
 *
 * @example
 * ```ts
 * const { perClass, demographicParityDifference }: MulticlassAttributeFairness = report.attributes[0]!;
 * ```
 */
export interface MulticlassAttributeFairness {
  readonly attribute: string;
  readonly missing: number;
  readonly overflow: number;
  /** One binary report per class, in declaration order: "selected" means "predicted this class". */
  readonly perClass: ReadonlyArray<{ readonly class: string; readonly report: AttributeFairness }>;
  /** max over classes of the per-class demographic parity difference. */
  readonly demographicParityDifference: WorstClass<GroupComparison>;
  /** max over classes of the per-class equalized odds difference. */
  readonly equalizedOddsDifference: WorstClass<EqualizedOddsDifference>;
}

/**
 * The multiclass fairness report.
 *
 * @example
 * ```ts
 * const { confidence, attributes }: MulticlassFairnessReport = multiclassFairnessReport(window);
 * ```
 */
export interface MulticlassFairnessReport {
  readonly confidence: number;
  readonly minGroupSize: number;
  readonly impactRatioThreshold: number;
  readonly classes: readonly string[];
  readonly attributes: MulticlassAttributeFairness[];
}

/**
 * The fairness report of a {@link GroupMulticlassAccumulator}: per attribute and class, the binary
 * report of {@link fairnessReport} on one-vs-rest counts; per attribute, the worst class's demographic
 * parity and equalized odds differences. Options as for the binary report (a privileged group applies to
 * every class).
 *
 * @example
 * ```ts
 * const report = multiclassFairnessReport(window, { minGroupSize: 50 });
 * report.attributes[0]!.demographicParityDifference; // { value, class, groups, interval, … }
 * ```
 */
export function multiclassFairnessReport(
  accumulator: GroupMulticlassAccumulator,
  options: FairnessOptions = {},
): MulticlassFairnessReport {
  const settings = fairnessSettings(options, accumulator.attributes);
  return {
    confidence: settings.confidence,
    minGroupSize: settings.minGroupSize,
    impactRatioThreshold: settings.impactRatioThreshold,
    classes: accumulator.classes,
    attributes: accumulator.attributes.map((name) => {
      const { missing, overflow, groups } = accumulator.attribute(name);
      const perClass = accumulator.classes.map((c, k) => ({
        class: c,
        report: attributeFairness(
          name,
          missing,
          overflow,
          groups.map(({ group, state }) => ({ group, state: oneVsRestCounts(state, k) })),
          settings,
        ),
      }));
      return {
        attribute: name,
        missing,
        overflow,
        perClass,
        demographicParityDifference: worst(perClass, (r) => r.demographicParityDifference),
        equalizedOddsDifference: worst(perClass, (r) => r.equalizedOddsDifference),
      };
    }),
  };
}

function worst<C extends GroupComparison>(
  perClass: ReadonlyArray<{ readonly class: string; readonly report: AttributeFairness }>,
  pick: (r: AttributeFairness) => C,
): WorstClass<C> {
  let best: { class: string; comparison: C } | undefined;
  for (const { class: c, report } of perClass) {
    const comparison = pick(report);
    if (comparison.value === null) continue;
    if (best === undefined || comparison.value > best.comparison.value!) best = { class: c, comparison };
  }
  if (best !== undefined) return { ...best.comparison, class: best.class };
  // No class has a value: report the first class's reason.
  return { ...pick(perClass[0]!.report), class: null };
}

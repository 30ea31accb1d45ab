/**
 * Quality metrics of a multiclass classifier over one window, as a mergeable, serialisable accumulator.
 */

import { type ClassificationResult, labelCoverage } from "./classification-result.js";
import { CompensatedSum } from "./compensated-sum.js";
import { ConfusionCounts } from "./confusion-matrix.js";
import { expectCount, expectFormat, expectLabels, expectSumPair } from "./json.js";
import { type ClassLabel, labelType } from "./labels.js";
import { multiclassLogLoss } from "./log-loss.js";

const FORMAT = "tiktoktoe.metrics.multiclass-classification";
const VERSION = 1;

/**
 * The classes, when known in advance.
 *
 * @example
 * ```ts
 * const options: MulticlassClassificationOptions = { classes: ["setosa", "versicolor", "virginica"] };
 * ```
 */
export interface MulticlassClassificationOptions {
  /**
   * The model's classes, in the order of its score vectors (at least two, distinct, all strings or all
   * numbers). Needed to accept scores; when given, every true and predicted label must be one of them.
   * Without it, labels are open-ended and events carry no scores.
   */
  readonly classes?: readonly ClassLabel[];
}

/**
 * The JSON form of a {@link MulticlassClassificationAccumulator} (format version 1).
 *
 * @example
 * ```ts
 * const stored = JSON.stringify(accumulator); // a MulticlassClassificationJson
 * ```
 */
export interface MulticlassClassificationJson {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  /** The declared classes in score order, or null. */
  readonly classes: ClassLabel[] | null;
  readonly events: number;
  /** Labels seen, sorted as scikit-learn sorts them. */
  readonly labels: ClassLabel[];
  /** Confusion counts, rows true and columns predicted, in `labels` order. */
  readonly matrix: number[][];
  /** Labelled events that came with scores. */
  readonly scored: number;
  /** Log-loss sum of the scored events, as a `[sum, compensation]` pair. */
  readonly logLoss: [number, number];
}

/**
 * Accumulates one window of a multiclass classifier's labelled events: counts for accuracy, per-class
 * and macro precision, recall and F1 and the confusion matrix (O(classes²) memory), and the log-loss sum.
 * Pure: no I/O, no clock. (Multiclass ROC AUC is not computed.)
 *
 * @example
 * ```ts
 * const window = new MulticlassClassificationAccumulator({ classes: ["a", "b", "c"] });
 * window.addEvents();
 * window.addLabel("b", "b", [0.2, 0.7, 0.1]);
 * window.result().logLoss; // −ln 0.7 ≈ 0.3567
 * ```
 */
export class MulticlassClassificationAccumulator {
  /** The declared classes, in score order, if any. */
  readonly classes: readonly ClassLabel[] | undefined;
  private readonly classIndex: Map<ClassLabel, number> | undefined;
  private events = 0;
  private scored = 0;
  private counts = new ConfusionCounts();
  private logLoss = new CompensatedSum();

  constructor(options: MulticlassClassificationOptions = {}) {
    const { classes } = options;
    if (classes === undefined) {
      this.classes = undefined;
      this.classIndex = undefined;
      return;
    }
    if (classes.length < 2) throw new RangeError("classes must hold at least two classes");
    let type: "string" | "number" | undefined;
    for (const label of classes) type = labelType(label, type, "class");
    this.classes = classes.map((label) => (typeof label === "number" ? label + 0 : label));
    this.classIndex = new Map(this.classes.map((label, i) => [label, i]));
    if (this.classIndex.size !== classes.length) throw new RangeError("classes must be distinct");
  }

  /** Counts prediction events of this window, labelled or not (for label coverage). */
  addEvents(count = 1): void {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new RangeError(`count must be a count, got ${count}`);
    this.events += count;
  }

  /**
   * Adds one labelled event: its true label, the predicted label and, optionally, the model's class
   * probabilities in `classes` order. Throws, changing nothing, on an undeclared label, on scores
   * without declared classes, or on scores of the wrong length or not finite.
   */
  addLabel(truth: ClassLabel, prediction: ClassLabel, scores?: ArrayLike<number>): void {
    const trueIndex = this.check(truth, "true");
    this.check(prediction, "predicted");
    if (scores !== undefined) {
      if (this.classes === undefined) throw new TypeError("scores need the classes option (their order)");
      if (scores.length !== this.classes.length) {
        throw new RangeError(`scores must have ${this.classes.length} entries, got ${scores.length}`);
      }
      for (let j = 0; j < scores.length; j++) {
        if (!Number.isFinite(scores[j])) throw new RangeError(`scores must be finite, got ${scores[j]}`);
      }
    }
    this.counts.add(truth, prediction);
    if (scores === undefined || trueIndex === undefined) return;
    this.logLoss.add(multiclassLogLoss(scores, trueIndex));
    this.scored++;
  }

  /** Adds another window with the same declared classes (or none); `other` is not changed. */
  merge(other: MulticlassClassificationAccumulator): this {
    const a = this.classes;
    const b = other.classes;
    if (
      (a === undefined) !== (b === undefined) ||
      (a !== undefined && b !== undefined && !sameLabels(a, b))
    ) {
      throw new RangeError("cannot merge multiclass accumulators with different classes");
    }
    this.counts.merge(other.counts);
    this.events += other.events;
    this.scored += other.scored;
    this.logLoss.merge(other.logLoss);
    return this;
  }

  /** The window's metrics; see {@link ClassificationResult} for when each is null. */
  result(): ClassificationResult {
    return {
      ...labelCoverage(this.events, this.counts.total),
      ...this.counts.metrics(),
      scored: this.scored,
      logLoss: this.scored === 0 ? null : this.logLoss.value() / this.scored,
    };
  }

  /** The state as JSON ({@link MulticlassClassificationJson}); `fromJSON` restores it exactly. */
  toJSON(): MulticlassClassificationJson {
    const { labels, matrix } = this.counts.toJSON();
    return {
      format: FORMAT,
      version: VERSION,
      classes: this.classes === undefined ? null : [...this.classes],
      events: this.events,
      labels,
      matrix,
      scored: this.scored,
      logLoss: this.logLoss.toJSON(),
    };
  }

  /** Restores an accumulator from {@link MulticlassClassificationAccumulator.toJSON}'s form (parsed JSON). */
  static fromJSON(value: unknown): MulticlassClassificationAccumulator {
    const record = expectFormat(value, FORMAT, VERSION);
    const accumulator = new MulticlassClassificationAccumulator(
      record.classes === null ? {} : { classes: expectLabels(record.classes, "classes") },
    );
    accumulator.counts = ConfusionCounts.fromJSON(record.labels, record.matrix);
    for (const label of accumulator.counts.toJSON().labels) accumulator.check(label, "stored");
    accumulator.events = expectCount(record.events, "events");
    accumulator.scored = expectCount(record.scored, "scored");
    if (accumulator.scored > accumulator.counts.total)
      throw new TypeError("fromJSON: scored exceeds labelled");
    accumulator.logLoss = CompensatedSum.fromJSON(expectSumPair(record.logLoss, "logLoss"));
    return accumulator;
  }

  /** Validates a label; returns its index among the declared classes (undefined when none are declared). */
  private check(label: ClassLabel, what: string): number | undefined {
    // Without declared classes, ConfusionCounts.add checks the labels (before counting anything).
    if (this.classIndex === undefined) return undefined;
    const index = this.classIndex.get(label);
    if (index === undefined)
      throw new RangeError(`${what} label ${JSON.stringify(label)} is not a declared class`);
    return index;
  }
}

function sameLabels(a: readonly ClassLabel[], b: readonly ClassLabel[]): boolean {
  return a.length === b.length && a.every((label, i) => label === b[i]);
}

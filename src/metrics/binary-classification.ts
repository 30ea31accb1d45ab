/**
 * Quality metrics of a binary classifier over one window, as a mergeable, serialisable accumulator.
 */

import { type ClassificationResult, labelCoverage } from "./classification-result.js";
import { CompensatedSum } from "./compensated-sum.js";
import { type AveragedMetrics, ConfusionCounts, precisionRecallF1 } from "./confusion-matrix.js";
import { expectCount, expectFormat, expectLabels, expectSumPair } from "./json.js";
import { type ClassLabel, labelType } from "./labels.js";
import { binaryLogLoss } from "./log-loss.js";
import { RocAucAccumulator, type RocAucJson, type RocAucOptions } from "./roc-auc.js";

const FORMAT = "tiktoktoe.metrics.binary-classification";
const VERSION = 1;

/**
 * The two classes, and the ROC AUC memory bounds ({@link RocAucOptions}).
 *
 * @example
 * ```ts
 * const options: BinaryClassificationOptions = { positive: ">50K", negative: "<=50K" };
 * ```
 */
export interface BinaryClassificationOptions extends RocAucOptions {
  /** The class whose score the model reports. */
  readonly positive: ClassLabel;
  /** The other class; of the same type (string or number) as `positive`. */
  readonly negative: ClassLabel;
}

/**
 * Metrics of a binary classification window.
 *
 * @example
 * ```ts
 * const { rocAuc, rocAucErrorBound, positiveClass }: BinaryClassificationResult = accumulator.result();
 * ```
 */
export interface BinaryClassificationResult extends ClassificationResult {
  readonly positive: ClassLabel;
  readonly negative: ClassLabel;
  /**
   * Precision, recall and F1 of the positive class: scikit-learn's `average="binary"` with
   * `pos_label=positive, zero_division=0` (all 0 if the positive class was never seen); null with no
   * labelled event.
   */
  readonly positiveClass: AveragedMetrics | null;
  /**
   * ROC AUC of the positive-class score over the scored events: `roc_auc_score(y_true == positive,
   * score)`. Null when the scored events' true labels hold one class only (scikit-learn raises).
   */
  readonly rocAuc: number | null;
  /** Whether `rocAuc` was computed from exact pairs (else from the score histogram). */
  readonly rocAucExact: boolean;
  /** Largest possible error of `rocAuc`: 0 when exact; null when `rocAuc` is null. */
  readonly rocAucErrorBound: number | null;
}

/**
 * The JSON form of a {@link BinaryClassificationAccumulator} (format version 1).
 *
 * @example
 * ```ts
 * const stored = JSON.stringify(accumulator); // a BinaryClassificationJson
 * ```
 */
export interface BinaryClassificationJson {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly positive: ClassLabel;
  readonly negative: ClassLabel;
  readonly events: number;
  /** Labels seen, sorted as scikit-learn sorts them. */
  readonly labels: ClassLabel[];
  /** Confusion counts, rows true and columns predicted, in `labels` order. */
  readonly matrix: number[][];
  /** Log-loss sum of the scored events, as a `[sum, compensation]` pair. */
  readonly logLoss: [number, number];
  readonly rocAuc: RocAucJson;
}

/**
 * Accumulates one window of a binary classifier's labelled events: counts for accuracy, precision,
 * recall, F1 and the confusion matrix; the log-loss sum; (score, label) pairs or a score histogram for
 * ROC AUC. Pure: no I/O, no clock. Memory: O(1) for counts, at most `exactLimit` pairs or `2 × bins`
 * histogram counts for ROC AUC.
 *
 * @example
 * ```ts
 * const window = new BinaryClassificationAccumulator({ positive: "spam", negative: "ham" });
 * window.addEvents(3); // three predictions made; labels come later
 * window.addLabel("spam", "spam", 0.9);
 * window.addLabel("ham", "spam", 0.6);
 * const r = window.result(); // r.coverage = 2/3, r.accuracy = 0.5, r.rocAuc = 1
 * ```
 */
export class BinaryClassificationAccumulator {
  readonly positive: ClassLabel;
  readonly negative: ClassLabel;
  private events = 0;
  private counts: ConfusionCounts;
  private logLoss: CompensatedSum;
  private roc: RocAucAccumulator;

  constructor(options: BinaryClassificationOptions) {
    const type = labelType(options.positive, undefined, "positive");
    labelType(options.negative, type, "negative");
    if (options.positive === options.negative) throw new RangeError("positive and negative must differ");
    // + 0 stores the label 0 for -0, so the JSON round trip is exact.
    this.positive = type === "number" ? (options.positive as number) + 0 : options.positive;
    this.negative = type === "number" ? (options.negative as number) + 0 : options.negative;
    this.counts = new ConfusionCounts();
    this.logLoss = new CompensatedSum();
    const rocOptions: { exactLimit?: number; bins?: number } = {};
    if (options.exactLimit !== undefined) rocOptions.exactLimit = options.exactLimit;
    if (options.bins !== undefined) rocOptions.bins = options.bins;
    this.roc = new RocAucAccumulator(rocOptions);
  }

  /** Counts prediction events of this window, labelled or not (for label coverage). */
  addEvents(count = 1): void {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new RangeError(`count must be a count, got ${count}`);
    this.events += count;
  }

  /**
   * Adds one labelled event: its true label, the predicted label and, optionally, the model's score for
   * the positive class (a probability for log loss; any finite score serves ROC AUC). Throws, changing
   * nothing, on a label that is neither class or a non-finite score.
   */
  addLabel(truth: ClassLabel, prediction: ClassLabel, score?: number): void {
    this.check(truth, "true");
    this.check(prediction, "predicted");
    if (score !== undefined && !Number.isFinite(score))
      throw new RangeError(`score must be finite, got ${score}`);
    this.counts.add(truth, prediction);
    if (score === undefined) return;
    const isPositive = truth === this.positive;
    this.logLoss.add(binaryLogLoss(score, isPositive));
    this.roc.add(score, isPositive);
  }

  /** Adds another window of the same classes and ROC AUC options; `other` is not changed. */
  merge(other: BinaryClassificationAccumulator): this {
    if (other.positive !== this.positive || other.negative !== this.negative) {
      throw new RangeError("cannot merge binary accumulators with different classes");
    }
    this.roc.merge(other.roc);
    this.events += other.events;
    this.counts.merge(other.counts);
    this.logLoss.merge(other.logLoss);
    return this;
  }

  /** The window's metrics; see {@link BinaryClassificationResult} for when each is null. */
  result(): BinaryClassificationResult {
    const labelled = this.counts.total;
    const roc = this.roc.result();
    const scored = this.roc.count;
    const { tp, predicted, actual } = this.counts.classCounts(this.positive);
    return {
      ...labelCoverage(this.events, labelled),
      ...this.counts.metrics(),
      positive: this.positive,
      negative: this.negative,
      positiveClass: labelled === 0 ? null : precisionRecallF1(tp, predicted, actual),
      scored,
      logLoss: scored === 0 ? null : this.logLoss.value() / scored,
      rocAuc: roc.rocAuc,
      rocAucExact: roc.exact,
      rocAucErrorBound: roc.errorBound,
    };
  }

  /** The state as JSON ({@link BinaryClassificationJson}); `fromJSON` restores it exactly. */
  toJSON(): BinaryClassificationJson {
    const { labels, matrix } = this.counts.toJSON();
    return {
      format: FORMAT,
      version: VERSION,
      positive: this.positive,
      negative: this.negative,
      events: this.events,
      labels,
      matrix,
      logLoss: this.logLoss.toJSON(),
      rocAuc: this.roc.toJSON(),
    };
  }

  /** Restores an accumulator from {@link BinaryClassificationAccumulator.toJSON}'s form (parsed JSON). */
  static fromJSON(value: unknown): BinaryClassificationAccumulator {
    const record = expectFormat(value, FORMAT, VERSION);
    const [positive, negative] = expectLabels([record.positive, record.negative], "positive and negative");
    const roc = RocAucAccumulator.fromJSON(record.rocAuc);
    const accumulator = new BinaryClassificationAccumulator({
      positive: positive!,
      negative: negative!,
      exactLimit: roc.exactLimit,
      bins: roc.bins,
    });
    accumulator.counts = ConfusionCounts.fromJSON(record.labels, record.matrix);
    for (const label of accumulator.counts.toJSON().labels) accumulator.check(label, "stored");
    accumulator.events = expectCount(record.events, "events");
    accumulator.logLoss = CompensatedSum.fromJSON(expectSumPair(record.logLoss, "logLoss"));
    accumulator.roc = roc;
    return accumulator;
  }

  private check(label: ClassLabel, what: string): void {
    if (label !== this.positive && label !== this.negative) {
      throw new RangeError(
        `${what} label ${JSON.stringify(label)} is neither ${JSON.stringify(this.positive)} nor ${JSON.stringify(this.negative)}`,
      );
    }
  }
}

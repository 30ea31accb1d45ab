/**
 * Confusion counts of one window and the metrics derived from them, as scikit-learn 1.2.1 derives them:
 * `confusion_matrix`, `accuracy_score` and `precision_recall_fscore_support` with `average=None` and
 * `average="macro"`. Memory is O(classes²) whatever the number of events.
 */

import { expectCount, expectLabels } from "./json.js";
import { type ClassLabel, compareLabels, labelType } from "./labels.js";

/**
 * Precision, recall, F1 and support of one class (scikit-learn's `average=None` row).
 *
 * @example
 * ```ts
 * const { label, precision, recall, f1, support }: ClassMetrics = result.perClass[0]!;
 * ```
 */
export interface ClassMetrics {
  readonly label: ClassLabel;
  /** tp / (tp + fp); 0 when the class was never predicted (`zero_division=0`). */
  readonly precision: number;
  /** tp / (tp + fn); 0 when the class never occurs in the true labels (`zero_division=0`). */
  readonly recall: number;
  /** 2·P·R / (P + R), from P and R as scikit-learn computes it; 0 when P + R = 0. */
  readonly f1: number;
  /** How many true labels are this class. */
  readonly support: number;
}

/**
 * An average of precision, recall and F1 over classes (macro), or the positive class's values (binary).
 *
 * @example
 * ```ts
 * const macro: AveragedMetrics | null = result.macro;
 * ```
 */
export interface AveragedMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/**
 * The confusion matrix and the metrics computed from it.
 *
 * @example
 * ```ts
 * const { labels, confusionMatrix, accuracy, perClass, macro }: ConfusionMetrics = counts.metrics();
 * ```
 */
export interface ConfusionMetrics {
  /** The sorted union of true and predicted labels seen (scikit-learn's `unique_labels`). */
  readonly labels: ClassLabel[];
  /** `confusionMatrix[i][j]`: events whose true label is `labels[i]` and prediction `labels[j]`. */
  readonly confusionMatrix: number[][];
  /** Fraction of labelled events predicted correctly; null with no labelled event (sklearn: nan). */
  readonly accuracy: number | null;
  /** One row per label, in `labels` order. */
  readonly perClass: ClassMetrics[];
  /** The unweighted mean over `labels` of each metric; null with no labelled event. */
  readonly macro: AveragedMetrics | null;
}

/**
 * Confusion counts over labels discovered as they arrive (true or predicted), kept in arrival order and
 * reported in scikit-learn's order.
 *
 * @example
 * ```ts
 * const counts = new ConfusionCounts();
 * counts.add("cat", "dog");
 * counts.add("dog", "dog");
 * counts.metrics().confusionMatrix; // [[0, 1], [0, 1]]
 * ```
 */
export class ConfusionCounts {
  private readonly labels: ClassLabel[] = [];
  private readonly index = new Map<ClassLabel, number>();
  /** counts[true index][predicted index], indices in arrival order. */
  private readonly counts: number[][] = [];
  private type: "string" | "number" | undefined;
  private n = 0;

  /** Labelled events counted. */
  get total(): number {
    return this.n;
  }

  /** The type of the labels seen so far, if any. */
  get labelType(): "string" | "number" | undefined {
    return this.type;
  }

  /** Counts one labelled event. */
  add(truth: ClassLabel, prediction: ClassLabel, count = 1): void {
    // Check both labels before registering either, so a throw leaves the counts as they were.
    labelType(prediction, labelType(truth, this.type, "true"), "predicted");
    const i = this.slot(truth, "true");
    const j = this.slot(prediction, "predicted");
    this.counts[i]![j]! += count;
    this.n += count;
  }

  /** Adds another window's counts (labels matched by value). */
  merge(other: ConfusionCounts): void {
    for (let i = 0; i < other.labels.length; i++) {
      const row = other.counts[i]!;
      for (let j = 0; j < row.length; j++) {
        if (row[j]! > 0) this.add(other.labels[i]!, other.labels[j]!, row[j]!);
      }
    }
    // A label seen only with zero counts cannot exist (every label arrives with an event), so the
    // union of labels is complete.
  }

  /** tp, predicted and true totals of one label (all 0 if it was never seen). */
  classCounts(label: ClassLabel): { tp: number; predicted: number; actual: number } {
    const k = this.index.get(label);
    if (k === undefined) return { tp: 0, predicted: 0, actual: 0 };
    let predicted = 0;
    let actual = 0;
    for (let i = 0; i < this.labels.length; i++) {
      predicted += this.counts[i]![k]!;
      actual += this.counts[k]![i]!;
    }
    return { tp: this.counts[k]![k]!, predicted, actual };
  }

  /** The confusion matrix and the metrics derived from it, in scikit-learn's label order. */
  metrics(): ConfusionMetrics {
    const { labels, matrix } = this.sorted();
    const perClass: ClassMetrics[] = labels.map((label) => {
      const { tp, predicted, actual } = this.classCounts(label);
      return { label, ...precisionRecallF1(tp, predicted, actual), support: actual };
    });
    let correct = 0;
    for (let i = 0; i < labels.length; i++) correct += matrix[i]![i]!;
    if (this.n === 0) return { labels, confusionMatrix: matrix, accuracy: null, perClass, macro: null };
    const mean = (key: "precision" | "recall" | "f1"): number => {
      let sum = 0;
      for (const row of perClass) sum += row[key];
      return sum / perClass.length;
    };
    return {
      labels,
      confusionMatrix: matrix,
      accuracy: correct / this.n,
      perClass,
      macro: { precision: mean("precision"), recall: mean("recall"), f1: mean("f1") },
    };
  }

  /** `{ labels, matrix }` in scikit-learn's order: a stable form for JSON. */
  toJSON(): { labels: ClassLabel[]; matrix: number[][] } {
    const { labels, matrix } = this.sorted();
    return { labels, matrix };
  }

  /** Rebuilds counts from {@link ConfusionCounts.toJSON}'s form. */
  static fromJSON(labelsValue: unknown, matrixValue: unknown): ConfusionCounts {
    const labels = expectLabels(labelsValue, "labels");
    if (!Array.isArray(matrixValue) || matrixValue.length !== labels.length) {
      throw new TypeError("fromJSON: matrix must have one row per label");
    }
    const counts = new ConfusionCounts();
    for (const label of labels) counts.slot(label, "stored");
    if (counts.labels.length !== labels.length) throw new TypeError("fromJSON: labels must be distinct");
    matrixValue.forEach((row: unknown, i) => {
      if (!Array.isArray(row) || row.length !== labels.length) {
        throw new TypeError("fromJSON: the matrix must be square");
      }
      row.forEach((value: unknown, j) => {
        const count = expectCount(value, `matrix[${i}][${j}]`);
        counts.counts[i]![j] = count;
        counts.n += count;
      });
    });
    return counts;
  }

  private sorted(): { labels: ClassLabel[]; matrix: number[][] } {
    const order = this.labels
      .map((_, i) => i)
      .sort((a, b) => compareLabels(this.labels[a]!, this.labels[b]!));
    return {
      labels: order.map((i) => this.labels[i]!),
      matrix: order.map((i) => order.map((j) => this.counts[i]![j]!)),
    };
  }

  private slot(label: ClassLabel, what: string): number {
    const found = this.index.get(label);
    if (found !== undefined) return found;
    this.type = labelType(label, this.type, what);
    const k = this.labels.length;
    // -0 and 0 are one label (Map keys already agree); store the positive zero for JSON.
    this.labels.push(label === 0 ? 0 : label);
    this.index.set(label, k);
    for (const row of this.counts) row.push(0);
    this.counts.push(new Array<number>(k + 1).fill(0));
    return k;
  }
}

/**
 * Precision, recall and F1 from counts, with scikit-learn's `zero_division=0`: a ratio whose
 * denominator is 0 is 0, and F1 is 0 when precision + recall is 0. F1 is computed from P and R in
 * scikit-learn's order, `(2·P)·R / (P + R)`, so the two agree to the last bit.
 *
 * @example
 * ```ts
 * precisionRecallF1(3, 4, 6); // { precision: 0.75, recall: 0.5, f1: 0.6 }
 * precisionRecallF1(0, 0, 5); // { precision: 0, recall: 0, f1: 0 }
 * ```
 */
export function precisionRecallF1(tp: number, predicted: number, actual: number): AveragedMetrics {
  const precision = predicted === 0 ? 0 : tp / predicted;
  const recall = actual === 0 ? 0 : tp / actual;
  const denominator = precision + recall;
  return { precision, recall, f1: denominator === 0 ? 0 : (2 * precision * recall) / denominator };
}

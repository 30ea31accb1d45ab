/**
 * What the classification accumulators report, and the label-coverage rule they share with regression.
 */

import type { ConfusionMetrics } from "./confusion-matrix.js";

/**
 * Events and labels of a window. The monitoring server calls `addEvents()` when a prediction event
 * arrives and `addLabel(...)` when a label is joined to one (often hours later, into the window of the
 * event's time), so `labelled ≤ events` and coverage = labelled / events.
 *
 * @example
 * ```ts
 * const { events, labelled, coverage }: LabelCoverage = accumulator.result();
 * ```
 */
export interface LabelCoverage {
  /** Prediction events counted with `addEvents`, labelled or not. */
  readonly events: number;
  /** Labelled events counted with `addLabel`: every metric below is over these. */
  readonly labelled: number;
  /**
   * labelled / events; null when no event was counted. It is reported as is, so a value above 1 shows a
   * caller that adds labels without counting their events.
   */
  readonly coverage: number | null;
}

/**
 * Label coverage from the two counts.
 *
 * @example
 * ```ts
 * labelCoverage(200, 150); // { events: 200, labelled: 150, coverage: 0.75 }
 * ```
 */
export function labelCoverage(events: number, labelled: number): LabelCoverage {
  return { events, labelled, coverage: events === 0 ? null : labelled / events };
}

/**
 * Metrics of a classification window: the confusion matrix and its metrics, label coverage, and log loss
 * over the labelled events that came with scores.
 *
 * @example
 * ```ts
 * const { accuracy, macro, confusionMatrix, logLoss }: ClassificationResult = accumulator.result();
 * ```
 */
export interface ClassificationResult extends ConfusionMetrics, LabelCoverage {
  /** Labelled events that came with scores: log loss (and binary ROC AUC) are over these. */
  readonly scored: number;
  /**
   * Mean log loss (natural log) over the scored events, as scikit-learn 1.2.1's `log_loss` with
   * `labels` set to the declared classes; null when no event was scored.
   */
  readonly logLoss: number | null;
}

import type { LearnTask, OnlineLinearModel } from "./linear-model.js";

/**
 * A naive predictor beside the model, as every stream study should report one: the majority class
 * and the last label (classification), the running mean and the last label (regression). A "last
 * label" baseline beats logistic regression on some classic streams (Elec2).
 */
export interface BaselineScore {
  readonly name: "majority class" | "last label" | "mean";
  /** The same metric as the model's. */
  readonly value: number;
}

/**
 * What a prequential run measured.
 *
 * @example
 * ```ts
 * const result: PrequentialResult = evaluator.result();
 * result.prequential; // accuracy of predict-then-learn
 * ```
 */
export interface PrequentialResult {
  /** Rows predicted (every row of the stream). */
  readonly samples: number;
  /** Rows learned from (those whose label arrived before the stream ended). */
  readonly learned: number;
  /** `accuracy` for classification, `mae` (mean absolute error) for regression. */
  readonly metric: "accuracy" | "mae";
  readonly prequential: number;
  /** The baseline of the headline: majority class (classification) or mean (regression). */
  readonly baseline: BaselineScore;
  /** Every naive baseline measured. */
  readonly baselines: readonly BaselineScore[];
}

/**
 * Prequential ("test, then train") evaluation with delayed labels: each row is first predicted by
 * the model and the baselines as they are, and its label becomes known `delay` rows later, when
 * the model learns from it and the baselines see it. `delay = 0` is the classic predict-then-learn.
 * The pending rows sit in a ring buffer of `delay + 1` rows: memory is bounded by the delay, not
 * the stream.
 *
 * @example
 * ```ts
 * const evaluator = new PrequentialEvaluator(model, { delay: 10 });
 * for (const r of rows) evaluator.step(numeric, r * p, slots, r * c, labels[r]!);
 * evaluator.result().prequential;
 * ```
 */
export class PrequentialEvaluator {
  readonly delay: number;
  private readonly model: OnlineLinearModel;
  private readonly task: LearnTask;
  private readonly p: number;
  private readonly c: number;
  private readonly ringNumeric: Float64Array;
  private readonly ringSlots: Int32Array;
  private readonly ringLabels: Float64Array;
  private readonly ringWeights: Float64Array;
  private readonly out: Float64Array;
  private head = 0;
  private pending = 0;
  private samples = 0;
  private learned = 0;
  private score = 0;
  private majorityScore = 0;
  private lastScore = 0;
  private readonly classCounts: Float64Array;
  private labelSum = 0;
  private labelCount = 0;
  private last = 0;

  constructor(model: OnlineLinearModel, options: { readonly delay?: number } = {}) {
    const delay = options.delay ?? 0;
    if (!Number.isInteger(delay) || delay < 0)
      throw new RangeError(`delay must be an integer >= 0, got ${delay}`);
    this.delay = delay;
    this.model = model;
    this.task = model.task;
    this.p = model.encoder.numericCount;
    this.c = model.encoder.slotCount;
    const slots = delay + 1;
    this.ringNumeric = new Float64Array(slots * this.p);
    this.ringSlots = new Int32Array(slots * this.c);
    this.ringLabels = new Float64Array(slots);
    this.ringWeights = new Float64Array(slots);
    this.out = new Float64Array(Math.max(1, model.classes.length));
    this.classCounts = new Float64Array(Math.max(1, model.classes.length));
  }

  /** Predicts one row, then queues it; learns the row whose label arrives now (`delay` rows back). */
  step(
    numeric: Float64Array,
    numericOffset: number,
    slots: Int32Array,
    slotOffset: number,
    label: number,
    weight = 1,
  ): void {
    const { model, out } = this;
    model.predictEncoded(numeric, numericOffset, slots, slotOffset, out);
    if (this.task === "regression") {
      this.score += Math.abs(out[0]! - label);
      this.majorityScore += Math.abs((this.labelCount > 0 ? this.labelSum / this.labelCount : 0) - label);
      this.lastScore += Math.abs(this.last - label);
    } else {
      let best = 0;
      for (let k = 1; k < this.classCounts.length; k++) if (out[k]! > out[best]!) best = k;
      if (best === label) this.score++;
      let majority = 0;
      for (let k = 1; k < this.classCounts.length; k++)
        if (this.classCounts[k]! > this.classCounts[majority]!) majority = k;
      if (majority === label) this.majorityScore++;
      if (this.last === label) this.lastScore++;
    }
    this.samples++;
    // Queue the row; when the ring is full the oldest row's label has arrived: learn it.
    const size = this.delay + 1;
    const at = (this.head + this.pending) % size;
    this.ringNumeric.set(numeric.subarray(numericOffset, numericOffset + this.p), at * this.p);
    this.ringSlots.set(slots.subarray(slotOffset, slotOffset + this.c), at * this.c);
    this.ringLabels[at] = label;
    this.ringWeights[at] = weight;
    this.pending++;
    if (this.pending > this.delay) this.learnOldest();
  }

  private learnOldest(): void {
    const at = this.head;
    const label = this.ringLabels[at]!;
    this.model.learnEncoded(
      this.ringNumeric,
      at * this.p,
      this.ringSlots,
      at * this.c,
      label,
      this.ringWeights[at]!,
    );
    if (this.task === "regression") {
      this.labelSum += label;
      this.labelCount++;
    } else this.classCounts[label] = this.classCounts[label]! + 1;
    this.last = label;
    this.learned++;
    this.head = (this.head + 1) % (this.delay + 1);
    this.pending--;
  }

  /** The scores so far. */
  result(): PrequentialResult {
    const n = Math.max(1, this.samples);
    if (this.task === "regression") {
      const mean: BaselineScore = { name: "mean", value: this.majorityScore / n };
      return {
        samples: this.samples,
        learned: this.learned,
        metric: "mae",
        prequential: this.score / n,
        baseline: mean,
        baselines: [mean, { name: "last label", value: this.lastScore / n }],
      };
    }
    const majority: BaselineScore = { name: "majority class", value: this.majorityScore / n };
    return {
      samples: this.samples,
      learned: this.learned,
      metric: "accuracy",
      prequential: this.score / n,
      baseline: majority,
      baselines: [majority, { name: "last label", value: this.lastScore / n }],
    };
  }
}

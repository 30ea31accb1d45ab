import { float64ArrayFromBase64, typedToBase64 } from "../stats/index.js";
import { type Cell, type EncoderJson, FeatureEncoder, type FeatureSpec, type Row } from "./features.js";
import { installedLearnKernel } from "./learn-kernel.js";
import { kernelIo, learnBatch, learnRows } from "./linear-native.js";
import { ftrlWeight, type LearnTask, LinearState, sigmoid } from "./linear-state.js";
import { learnGeneral, learnSingle } from "./linear-updates.js";
import { DEFAULT_FTRL, type OptimizerSettings } from "./optimizers.js";

// The model's numbers and how they are read live in linear-state.ts, the JavaScript update loops in
// linear-updates.ts, the compiled kernel's glue in linear-native.ts; this file is the public model.
export { type LearnTask, learnTasks } from "./linear-state.js";

/**
 * How to build a model.
 *
 * @example
 * ```ts
 * const options: LinearModelOptions = {
 *   task: "binary", classes: ["<=50K", ">50K"], features: { numeric: ["age"], categorical: ["sex"] },
 * };
 * ```
 */
export interface LinearModelOptions {
  readonly task: LearnTask;
  readonly features: FeatureSpec;
  /**
   * The class labels (binary: exactly two, the second is the positive class; multiclass: two or
   * more). Fixed when the model is made, as scikit-learn's `partial_fit(classes=…)`.
   */
  readonly classes?: readonly string[];
  /** Default: FTRL-Proximal with {@link DEFAULT_FTRL}. */
  readonly optimizer?: OptimizerSettings;
  /**
   * Standardise numeric features online (default true). Off for features already on a common
   * scale: the values are used as they are (missing → 0).
   */
  readonly standardize?: boolean;
}

/**
 * A batch of encoded samples, row-major: `numeric` is n × p raw values (NaN = missing), `slots` is
 * n × c coordinates (−1 = none), `labels` holds class indices (classification) or targets
 * (regression), `weights` the importance weights (default 1).
 *
 * @example
 * ```ts
 * const batch: EncodedBatch = { size: 1, numeric: new Float64Array([1.5]), slots: new Int32Array(0), labels: new Float64Array([1]) };
 * ```
 */
export interface EncodedBatch {
  readonly size: number;
  readonly numeric: Float64Array;
  readonly slots: Int32Array;
  readonly labels: Float64Array;
  readonly weights?: Float64Array;
}

/**
 * The serialised model: every number the next update needs, as base64 float64 (lossless).
 *
 * @example
 * ```ts
 * const copy = OnlineLinearModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
 * ```
 */
export interface LinearModelJson {
  readonly format: "tiktoktoe.linear/1";
  readonly task: LearnTask;
  readonly classes: readonly string[];
  readonly optimizer: OptimizerSettings;
  /** Absent in nothing written so far; false turns standardisation off. */
  readonly standardize: boolean;
  readonly encoder: EncoderJson;
  /** Coordinates with state (≤ the encoder's coordinates: a one-hot value seen only when predicting has none). */
  readonly coordinates: number;
  /** FTRL: z; AdaGrad and SGD: the weights. coordinates × outputs, coordinate-major. */
  readonly a: string;
  /** FTRL: n; AdaGrad: the sum of squared gradients; SGD: qᵢ, the L1 penalty applied so far. */
  readonly b: string;
  /** SGD: u, the L1 penalty every weight could have received so far; 0 otherwise. */
  readonly u: number;
  /** Updates with a non-zero weight. */
  readonly updates: number;
  /** Welford's count, mean and M2 per numeric column. */
  readonly count: string;
  readonly mean: string;
  readonly m2: string;
  /** Regression: Welford's count, mean and M2 of the target (the model learns it standardised). */
  readonly target: { readonly count: number; readonly mean: number; readonly m2: number };
}

/** Materialised weights: `coef[j * outputs + k]` for coordinate j (0 = bias) and output k. */
export interface LinearWeights {
  readonly outputs: number;
  readonly coordinates: number;
  readonly coef: Float64Array;
}

/**
 * An incremental linear (regression), logistic (binary) or softmax (multiclass) model. Numeric
 * features are standardised with Welford's running mean and variance; categorical features are
 * one-hot or hashed indicators. Every update is one sample at a time in stream order; `update`
 * of a batch is exactly the same loop, so any cut of the stream gives the identical model.
 *
 * Order within an update: the sample is standardised with the statistics *before* it (so the
 * gradient is taken at exactly the prediction {@link predictEncoded} returns for it), the optimizer
 * steps, then the statistics absorb the sample.
 *
 * @example
 * ```ts
 * const model = new OnlineLinearModel({ task: "binary", classes: ["no", "yes"], features: { numeric: ["x"], categorical: [] } });
 * model.learnRow({ x: 2 }, "yes");
 * model.predictRow({ x: 2 }); // [P(no), P(yes)]
 * ```
 */
export class OnlineLinearModel {
  readonly task: LearnTask;
  readonly classes: readonly string[];
  readonly optimizer: OptimizerSettings;
  readonly encoder: FeatureEncoder;
  /** 1 for regression and binary (the logit of the positive class), K for multiclass. */
  readonly outputs: number;
  readonly standardize: boolean;
  /** Every number the model has: weights, optimizer state, running statistics, scratch buffers. */
  private readonly state: LinearState;
  /** Sizes, settings and counters passed to and from the compiled kernel (LEARN_IO's slots). */
  private readonly io: Float64Array;
  // Scratch buffers of one row, reused so learnRow and predictRow allocate only their answer.
  private readonly rowNumeric: Float64Array;
  private readonly rowSlots: Int32Array;

  constructor(options: LinearModelOptions, encoder?: FeatureEncoder) {
    this.task = options.task;
    const classes = options.classes ?? [];
    if (options.task === "binary" && classes.length !== 2)
      throw new RangeError(`a binary model needs exactly 2 classes, got ${classes.length}`);
    if (options.task === "multiclass" && classes.length < 2)
      throw new RangeError(`a multiclass model needs 2 or more classes, got ${classes.length}`);
    this.classes = options.task === "regression" ? [] : [...classes];
    this.optimizer = { ...(options.optimizer ?? DEFAULT_FTRL) };
    this.encoder = encoder ?? new FeatureEncoder(options.features);
    this.outputs = options.task === "multiclass" ? classes.length : 1;
    this.standardize = options.standardize ?? true;
    const p = this.encoder.numericCount;
    const c = this.encoder.slotCount;
    this.state = new LinearState(this.task, this.outputs, this.optimizer, this.standardize, p, c);
    this.rowNumeric = new Float64Array(p);
    this.rowSlots = new Int32Array(c);
    this.state.reserve(this.encoder.coordinates);
    this.io = kernelIo(this.state);
  }

  /** The feature spec. */
  get features(): FeatureSpec {
    return this.encoder.spec;
  }

  /** Updates with a non-zero weight so far. */
  get updateCount(): number {
    return this.state.updates;
  }

  /**
   * Predicts one encoded sample into `out`: regression the value (out[0]); binary the probability
   * of each class (out[0], out[1]); multiclass the softmax probabilities.
   */
  predictEncoded(
    numeric: Float64Array,
    numericOffset: number,
    slots: Int32Array,
    slotOffset: number,
    out: Float64Array,
  ): void {
    const state = this.state;
    if (this.outputs === 1) state.margins[0] = state.marginSingle(numeric, numericOffset, slots, slotOffset);
    else state.computeMargins(state.gather(numeric, numericOffset, slots, slotOffset));
    this.link(out);
  }

  private link(out: Float64Array): void {
    const { margins } = this.state;
    if (this.task === "regression") out[0] = this.targetCenter() + this.targetScale() * margins[0]!;
    else if (this.task === "binary") {
      const p = sigmoid(margins[0]!);
      out[0] = 1 - p;
      out[1] = p;
    } else {
      const K = this.outputs;
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (margins[k]! > max) max = margins[k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(margins[k]! - max);
        out[k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) out[k] = out[k]! / sum;
    }
  }

  /**
   * One update on one encoded sample: `label` is the class index (classification) or the target
   * (regression), `weight` the importance weight (scales the loss gradient; 0 = not learned).
   */
  learnEncoded(
    numeric: Float64Array,
    numericOffset: number,
    slots: Int32Array,
    slotOffset: number,
    label: number,
    weight = 1,
  ): void {
    const state = this.state;
    let top = state.coordinates;
    for (let k = 0; k < state.c; k++) {
      const slot = slots[slotOffset + k]!;
      if (slot >= top) top = slot + 1;
    }
    state.reserve(top);
    if (this.outputs === 1) {
      const kernel = installedLearnKernel();
      if (kernel !== null)
        learnRows(
          kernel,
          state,
          this.io,
          numeric,
          numericOffset,
          slots,
          slotOffset,
          1,
          null,
          null,
          label,
          weight,
        );
      else learnSingle(state, numeric, numericOffset, slots, slotOffset, label, weight);
      return;
    }
    learnGeneral(state, numeric, numericOffset, slots, slotOffset, label, weight);
  }

  /** Regression: the mean the target is centred on (0 before any label). */
  targetCenter(): number {
    return this.state.targetCenter();
  }

  /** Regression: the sd the target is scaled by (1 while it has no spread). */
  targetScale(): number {
    return this.state.targetScale();
  }

  /**
   * Learns a batch: exactly `learnEncoded` on each row in order.
   *
   * @example
   * ```ts
   * model.update({ size: 2, numeric: new Float64Array([1, 2]), slots: new Int32Array(0), labels: new Float64Array([0, 1]) });
   * ```
   */
  update(batch: EncodedBatch): void {
    const { p, c } = this.state;
    const { numeric, slots, labels, weights } = batch;
    const kernel = installedLearnKernel();
    if (kernel !== null && this.outputs === 1 && batch.size > 0) {
      learnBatch(kernel, this.state, this.io, batch.size, numeric, slots, labels, weights ?? null);
      return;
    }
    for (let r = 0; r < batch.size; r++)
      this.learnEncoded(numeric, r * p, slots, r * c, labels[r]!, weights === undefined ? 1 : weights[r]!);
  }

  /** The label of a row as the number {@link learnEncoded} takes; throws RangeError for an unknown class. */
  labelValue(label: Cell): number {
    if (this.task === "regression") {
      const value = typeof label === "number" ? label : Number(label);
      if (!Number.isFinite(value))
        throw new RangeError(`label ${JSON.stringify(label)} is not a finite number`);
      return value;
    }
    const index = this.classes.indexOf(String(label));
    if (index < 0)
      throw new RangeError(
        `label ${JSON.stringify(label)} is not one of the classes ${JSON.stringify(this.classes)}`,
      );
    return index;
  }

  /**
   * Learns one row given as an object (one-hot values it has not seen get coordinates).
   *
   * @example
   * ```ts
   * model.learnRow({ age: 39, sex: "Male" }, ">50K", 1.2);
   * ```
   */
  learnRow(row: Row, label: Cell, weight = 1): void {
    this.encoder.encode(row, this.rowNumeric, 0, this.rowSlots, 0, true);
    this.learnEncoded(this.rowNumeric, 0, this.rowSlots, 0, this.labelValue(label), weight);
  }

  /**
   * Predicts one row: regression `[value]`, classification the class probabilities.
   *
   * @example
   * ```ts
   * model.predictRow({ age: 39, sex: "Male" }); // [0.8, 0.2]
   * ```
   */
  predictRow(row: Row): Float64Array {
    this.encoder.encode(row, this.rowNumeric, 0, this.rowSlots, 0, false);
    const out = new Float64Array(this.task === "regression" ? 1 : this.classes.length);
    this.predictEncoded(this.rowNumeric, 0, this.rowSlots, 0, out);
    return out;
  }

  /** The weights every coordinate has now (FTRL's are computed from z and n). */
  weights(): LinearWeights {
    const K = this.outputs;
    const d = this.encoder.coordinates;
    const coef = new Float64Array(d * K);
    const { optimizer } = this;
    const { a, b } = this.state;
    for (let j = 0; j < this.state.coordinates; j++)
      for (let k = 0; k < K; k++) {
        const z = a[j * K + k]!;
        if (optimizer.kind !== "ftrl") coef[j * K + k] = z;
        else
          coef[j * K + k] = ftrlWeight(
            z,
            Math.sqrt(b[j * K + k]!),
            1 / optimizer.alpha,
            optimizer.beta,
            j === 0 ? 0 : optimizer.l1,
            j === 0 ? 0 : optimizer.l2,
          );
      }
    return { outputs: K, coordinates: d, coef };
  }

  /** Non-zero feature weights (the bias left out). */
  nonZeroWeights(): number {
    const { coef, outputs } = this.weights();
    let count = 0;
    for (let i = outputs; i < coef.length; i++) if (coef[i] !== 0) count++;
    return count;
  }

  /**
   * Per numeric column the running mean and the population standard deviation the model divides
   * by; a scale of 0 marks a column without spread so far (fewer than 2 values, or all equal),
   * which the model reads as 0.
   */
  standardization(): { mean: Float64Array; scale: Float64Array } {
    const state = this.state;
    const mean = new Float64Array(state.p);
    const scale = new Float64Array(state.p);
    if (!this.standardize) return { mean, scale: scale.fill(1) };
    for (let j = 0; j < state.p; j++) {
      const n = state.count[j]!;
      const variance = n >= 2 ? state.m2[j]! / n : 0;
      mean[j] = n >= 1 ? state.mean[j]! : 0;
      scale[j] = variance > 0 ? Math.sqrt(variance) : 0;
    }
    return { mean, scale };
  }

  /** The model's whole state, lossless. */
  toJSON(): LinearModelJson {
    const state = this.state;
    const size = state.coordinates * this.outputs;
    return {
      format: "tiktoktoe.linear/1",
      task: this.task,
      classes: this.classes,
      optimizer: this.optimizer,
      standardize: this.standardize,
      encoder: this.encoder.toJSON(),
      coordinates: state.coordinates,
      a: typedToBase64(state.a.slice(0, size)),
      b: typedToBase64(state.b.slice(0, size)),
      u: state.u,
      updates: state.updates,
      count: typedToBase64(state.count),
      mean: typedToBase64(state.mean),
      m2: typedToBase64(state.m2),
      target: { count: state.targetCount, mean: state.targetMean, m2: state.targetM2 },
    };
  }

  /** Rebuilds a model from {@link toJSON}'s output. */
  static fromJSON(json: LinearModelJson): OnlineLinearModel {
    const encoder = FeatureEncoder.fromJSON(json.encoder);
    const model = new OnlineLinearModel(
      {
        task: json.task,
        features: json.encoder.spec,
        classes: json.classes,
        optimizer: json.optimizer,
        standardize: json.standardize,
      },
      encoder,
    );
    const state = model.state;
    state.reserve(json.coordinates);
    state.a.set(float64ArrayFromBase64(json.a));
    state.b.set(float64ArrayFromBase64(json.b));
    state.u = json.u;
    state.updates = json.updates;
    state.count.set(float64ArrayFromBase64(json.count));
    state.mean.set(float64ArrayFromBase64(json.mean));
    state.m2.set(float64ArrayFromBase64(json.m2));
    state.targetCount = json.target.count;
    state.targetMean = json.target.mean;
    state.targetM2 = json.target.m2;
    state.refreshDerived();
    return model;
  }
}

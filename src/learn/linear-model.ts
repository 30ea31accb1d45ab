import { float64ArrayFromBase64, typedToBase64 } from "../stats/index.js";
import { type Cell, type EncoderJson, FeatureEncoder, type FeatureSpec, type Row } from "./features.js";
import { installedLearnKernel, LEARN_IO, type LearnRowsKernel } from "./learn-kernel.js";
import { DEFAULT_FTRL, type OptimizerSettings } from "./optimizers.js";

/** What the model predicts. */
export const learnTasks = ["binary", "multiclass", "regression"] as const;

/** One of {@link learnTasks}. */
export type LearnTask = (typeof learnTasks)[number];

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
  private readonly p: number;
  private readonly c: number;
  private coordinates = 0;
  private capacity = 0;
  // The whole numeric state in one array (count, mean, m2, 1/sd, then a, b and FTRL's w and √n, each
  // a view of it), so that the compiled update loop (learn-kernel.ts) takes it in one argument.
  private state = new Float64Array(0);
  private a = new Float64Array(0);
  private b = new Float64Array(0);
  // FTRL only, derived from z and n (never serialised): each coordinate's current weight and √n,
  // refreshed when the coordinate is updated, so a prediction costs no square root or division.
  private w = new Float64Array(0);
  private sqrtN = new Float64Array(0);
  readonly standardize: boolean;
  /** 1/sd per numeric column, 0 while it has no spread (derived from count and M2). */
  private inverseSd = new Float64Array(0);
  private u = 0;
  private updates = 0;
  // Regression: the target's running statistics. Learning y standardised keeps FTRL's and AdaGrad's
  // steps on the same scale whatever the target's units (rentals in the hundreds learned slowly).
  private targetCount = 0;
  private targetMean = 0;
  private targetM2 = 0;
  private count = new Float64Array(0);
  private mean = new Float64Array(0);
  private m2 = new Float64Array(0);
  /** Sizes, settings and counters passed to and from the compiled kernel (LEARN_IO's slots). */
  private readonly io = new Float64Array(LEARN_IO.length);
  // Scratch buffers of one sample, reused so the hot path allocates nothing.
  private readonly active: Int32Array;
  private readonly xs: Float64Array;
  private readonly margins: Float64Array;
  private readonly rowNumeric: Float64Array;
  private readonly rowSlots: Int32Array;
  /** How many slot coordinates {@link marginSingle} put in `active`. */
  private slotsActive = 0;

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
    this.p = this.encoder.numericCount;
    this.c = this.encoder.slotCount;
    this.standardize = options.standardize ?? true;
    const width = 1 + this.p + this.c;
    this.active = new Int32Array(width);
    this.xs = new Float64Array(width);
    this.margins = new Float64Array(this.outputs);
    this.rowNumeric = new Float64Array(this.p);
    this.rowSlots = new Int32Array(this.c);
    this.reserve(this.encoder.coordinates);
    const { io, optimizer } = this;
    io[LEARN_IO.kind] = optimizer.kind === "ftrl" ? 0 : optimizer.kind === "adagrad" ? 1 : 2;
    io[LEARN_IO.task] = this.task === "regression" ? 1 : 0;
    io[LEARN_IO.standardize] = this.standardize ? 1 : 0;
    io[LEARN_IO.p] = this.p;
    io[LEARN_IO.c] = this.c;
    const settings =
      optimizer.kind === "ftrl"
        ? [optimizer.alpha, optimizer.beta, optimizer.l1, optimizer.l2]
        : optimizer.kind === "adagrad"
          ? [optimizer.eta, optimizer.epsilon, optimizer.l1, optimizer.l2]
          : [optimizer.eta, optimizer.l1, optimizer.l2, 0];
    io.set(settings, LEARN_IO.p0);
  }

  /** The feature spec. */
  get features(): FeatureSpec {
    return this.encoder.spec;
  }

  /** Updates with a non-zero weight so far. */
  get updateCount(): number {
    return this.updates;
  }

  private reserve(coordinates: number): void {
    if (coordinates <= this.coordinates) return;
    if (coordinates > this.capacity) {
      const capacity = Math.max(coordinates, this.capacity * 2, 16);
      const { p } = this;
      const size = capacity * this.outputs;
      const ftrl = this.optimizer.kind === "ftrl";
      const state = new Float64Array(4 * p + (ftrl ? 4 : 2) * size);
      state.set(this.state.subarray(0, 4 * p));
      const view = (i: number) => state.subarray(4 * p + i * size, 4 * p + (i + 1) * size);
      const a = view(0);
      const b = view(1);
      a.set(this.a);
      b.set(this.b);
      this.a = a;
      this.b = b;
      if (ftrl) {
        const w = view(2);
        const sqrtN = view(3);
        w.set(this.w);
        sqrtN.set(this.sqrtN);
        this.w = w;
        this.sqrtN = sqrtN;
      }
      this.count = state.subarray(0, p);
      this.mean = state.subarray(p, 2 * p);
      this.m2 = state.subarray(2 * p, 3 * p);
      this.inverseSd = state.subarray(3 * p, 4 * p);
      this.state = state;
      this.capacity = capacity;
    }
    this.coordinates = coordinates;
  }

  /**
   * Collects the sample's active coordinates and their values (standardised numeric values, 1 for
   * the bias and indicators) and the current weight of each (coordinate, output); returns how many.
   */
  private gather(
    numeric: Float64Array,
    numericOffset: number,
    slots: Int32Array,
    slotOffset: number,
  ): number {
    const { active, xs, p, mean, inverseSd } = this;
    active[0] = 0;
    xs[0] = 1;
    let m = 1;
    if (this.standardize)
      for (let j = 0; j < p; j++) {
        const x = numeric[numericOffset + j]!;
        // Missing → the running mean (0 after standardising). A column without spread so far (fewer
        // than 2 values, or all equal) has inverseSd 0: no information yet, not a raw value of 1e5.
        active[m] = j + 1;
        xs[m] = Number.isNaN(x) ? 0 : (x - mean[j]!) * inverseSd[j]!;
        m++;
      }
    else
      for (let j = 0; j < p; j++) {
        const x = numeric[numericOffset + j]!;
        active[m] = j + 1;
        xs[m] = Number.isNaN(x) ? 0 : x;
        m++;
      }
    const limit = this.coordinates;
    for (let k = 0; k < this.c; k++) {
      const slot = slots[slotOffset + k]!;
      if (slot < 0 || slot >= limit) continue;
      active[m] = slot;
      xs[m] = 1;
      m++;
    }
    return m;
  }

  /** The current weights: FTRL's cache (from z and n), the weights themselves otherwise. */
  private weightArray(): Float64Array {
    return this.optimizer.kind === "ftrl" ? this.w : this.a;
  }

  private computeMargins(m: number): void {
    const { xs, active, margins, outputs: K } = this;
    const w = this.weightArray();
    if (K === 1) {
      let sum = 0;
      for (let i = 0; i < m; i++) sum += w[active[i]!]! * xs[i]!;
      margins[0] = sum;
      return;
    }
    for (let k = 0; k < K; k++) {
      let sum = 0;
      for (let i = 0; i < m; i++) sum += w[active[i]! * K + k]! * xs[i]!;
      margins[k] = sum;
    }
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
    if (this.outputs === 1) this.margins[0] = this.marginSingle(numeric, numericOffset, slots, slotOffset);
    else this.computeMargins(this.gather(numeric, numericOffset, slots, slotOffset));
    this.link(out);
  }

  private link(out: Float64Array): void {
    const { margins } = this;
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
    let top = this.coordinates;
    for (let k = 0; k < this.c; k++) {
      const slot = slots[slotOffset + k]!;
      if (slot >= top) top = slot + 1;
    }
    this.reserve(top);
    if (this.outputs === 1) {
      const kernel = installedLearnKernel();
      if (kernel !== null)
        this.learnRows(kernel, numeric, numericOffset, slots, slotOffset, 1, null, null, label, weight);
      else this.learnSingle(numeric, numericOffset, slots, slotOffset, label, weight);
      return;
    }
    if (weight !== 0) {
      const m = this.gather(numeric, numericOffset, slots, slotOffset);
      this.computeMargins(m);
      const margins = this.margins;
      // dℓ/dmargin per output, in place: log-loss for binary and softmax, squared error / 2 for regression.
      if (this.task === "regression")
        margins[0] = (margins[0]! - (label - this.targetCenter()) / this.targetScale()) * weight;
      else if (this.task === "binary") margins[0] = (sigmoid(margins[0]!) - label) * weight;
      else {
        const K = this.outputs;
        let max = -Infinity;
        for (let k = 0; k < K; k++) if (margins[k]! > max) max = margins[k]!;
        let sum = 0;
        for (let k = 0; k < K; k++) {
          const e = Math.exp(margins[k]! - max);
          margins[k] = e;
          sum += e;
        }
        for (let k = 0; k < K; k++) margins[k] = (margins[k]! / sum - (k === label ? 1 : 0)) * weight;
      }
      this.step(m);
      this.updates++;
    }
    if (this.task === "regression" && Number.isFinite(label)) {
      this.targetCount++;
      const delta = label - this.targetMean;
      this.targetMean += delta / this.targetCount;
      this.targetM2 += delta * (label - this.targetMean);
    }
    if (this.standardize) this.absorb(numeric, numericOffset);
  }

  /**
   * One output's margin: fills `xs[1…p]` with the row's (standardised) numeric values and `active[0…]`
   * with its slots' coordinates (their count in {@link slotsActive}), and sums bias, numeric
   * columns, then slots, the order {@link computeMargins} sums in (so the same number).
   */
  private marginSingle(
    numeric: Float64Array,
    numericOffset: number,
    slots: Int32Array,
    slotOffset: number,
  ): number {
    const { p, c, xs, active, mean, inverseSd } = this;
    const weights = this.optimizer.kind === "ftrl" ? this.w : this.a;
    let sum = 0;
    sum += weights[0]! * 1;
    if (this.standardize)
      for (let j = 0; j < p; j++) {
        const x = numeric[numericOffset + j]!;
        const v = Number.isNaN(x) ? 0 : (x - mean[j]!) * inverseSd[j]!;
        xs[j + 1] = v;
        sum += weights[j + 1]! * v;
      }
    else
      for (let j = 0; j < p; j++) {
        const x = numeric[numericOffset + j]!;
        const v = Number.isNaN(x) ? 0 : x;
        xs[j + 1] = v;
        sum += weights[j + 1]! * v;
      }
    const limit = this.coordinates;
    let s = 0;
    for (let k = 0; k < c; k++) {
      const slot = slots[slotOffset + k]!;
      if (slot < 0 || slot >= limit) continue;
      active[s++] = slot;
      sum += weights[slot]! * 1;
    }
    this.slotsActive = s;
    return sum;
  }

  /**
   * {@link learnEncoded} for one output (regression and binary), fused: one pass standardises the
   * row and sums the margin, one pass steps each numeric coordinate and absorbs its value into the
   * running statistics, then the categorical slots. The same operations on the same numbers in the
   * same order per coordinate as the general path ({@link gather}, {@link computeMargins},
   * {@link step}, {@link absorb}), so the model is bit for bit the one the general path makes; only
   * the bookkeeping (the `active` indirection, the output loop, a call per coordinate) is gone.
   */
  private learnSingle(
    numeric: Float64Array,
    numericOffset: number,
    slots: Int32Array,
    slotOffset: number,
    label: number,
    weight: number,
  ): void {
    const { p, xs, active, optimizer } = this;
    const standardize = this.standardize;
    if (weight !== 0) {
      const sum = this.marginSingle(numeric, numericOffset, slots, slotOffset);
      const s = this.slotsActive;
      let gm: number;
      if (this.task === "regression")
        gm = (sum - (label - this.targetCenter()) / this.targetScale()) * weight;
      else gm = (sigmoid(sum) - label) * weight;
      const { a, b } = this;
      switch (optimizer.kind) {
        case "ftrl": {
          const { alpha, beta, l1, l2 } = optimizer;
          const inverseAlpha = 1 / alpha;
          const { w, sqrtN } = this;
          // A zero gradient leaves z, n and so w exactly as they are (z is never −0), so it is skipped.
          if (gm !== 0) {
            const n2 = b[0]! + gm * gm;
            const root = Math.sqrt(n2);
            const z = a[0]! + gm - (root - sqrtN[0]!) * inverseAlpha * w[0]!;
            a[0] = z;
            b[0] = n2;
            sqrtN[0] = root;
            w[0] = ftrlWeight(z, root, inverseAlpha, beta, 0, 0);
          }
          for (let j = 0; j < p; j++) {
            const g = gm * xs[j + 1]!;
            if (g !== 0) {
              const at = j + 1;
              const n2 = b[at]! + g * g;
              const root = Math.sqrt(n2);
              const z = a[at]! + g - (root - sqrtN[at]!) * inverseAlpha * w[at]!;
              a[at] = z;
              b[at] = n2;
              sqrtN[at] = root;
              w[at] =
                z <= l1 && z >= -l1 ? 0 : -(z - (z > 0 ? l1 : -l1)) / ((beta + root) * inverseAlpha + l2);
            }
          }
          if (gm !== 0)
            for (let i = 0; i < s; i++) {
              const at = active[i]!;
              const n2 = b[at]! + gm * gm;
              const root = Math.sqrt(n2);
              const z = a[at]! + gm - (root - sqrtN[at]!) * inverseAlpha * w[at]!;
              a[at] = z;
              b[at] = n2;
              sqrtN[at] = root;
              w[at] =
                z <= l1 && z >= -l1 ? 0 : -(z - (z > 0 ? l1 : -l1)) / ((beta + root) * inverseAlpha + l2);
            }
          break;
        }
        case "adagrad": {
          const { eta, epsilon, l1, l2 } = optimizer;
          {
            // The bias, unpenalised, written as step() computes it (its threshold is 0; a zero comes out +0).
            const g = gm * 1 + 0;
            const G = b[0]! + g * g;
            b[0] = G;
            const u = a[0]! - (eta * g) / (epsilon + Math.sqrt(G));
            a[0] = u > 0 ? u - 0 : u < 0 ? u + 0 : 0;
          }
          for (let j = 0; j < p; j++) {
            const at = j + 1;
            const wt = a[at]!;
            const g = gm * xs[at]! + l2 * wt;
            const G = b[at]! + g * g;
            b[at] = G;
            const h = epsilon + Math.sqrt(G);
            const u = wt - (eta * g) / h;
            const t = (eta * l1) / h;
            a[at] = u > t ? u - t : u < -t ? u + t : 0;
          }
          for (let i = 0; i < s; i++) {
            const at = active[i]!;
            const wt = a[at]!;
            const g = gm * 1 + l2 * wt;
            const G = b[at]! + g * g;
            b[at] = G;
            const h = epsilon + Math.sqrt(G);
            const u = wt - (eta * g) / h;
            const t = (eta * l1) / h;
            a[at] = u > t ? u - t : u < -t ? u + t : 0;
          }
          break;
        }
        case "sgd": {
          const { eta, l1, l2 } = optimizer;
          const shrink = Math.max(0, 1 - eta * l2);
          this.u += eta * l1;
          const u = this.u;
          const step = eta * gm;
          a[0] = a[0]! * 1 - step * 1;
          for (let j = 0; j < p; j++) {
            const at = j + 1;
            let wt = a[at]! * shrink - step * xs[at]!;
            // Tsuruoka's cumulative L1, as in step().
            const before = wt;
            const q = b[at]!;
            if (wt > 0) wt = Math.max(0, wt - (u + q));
            else if (wt < 0) wt = Math.min(0, wt + (u - q));
            b[at] = q + (wt - before);
            a[at] = wt;
          }
          for (let i = 0; i < s; i++) {
            const at = active[i]!;
            let wt = a[at]! * shrink - step * 1;
            const before = wt;
            const q = b[at]!;
            if (wt > 0) wt = Math.max(0, wt - (u + q));
            else if (wt < 0) wt = Math.min(0, wt + (u - q));
            b[at] = q + (wt - before);
            a[at] = wt;
          }
          break;
        }
      }
      this.updates++;
    }
    if (standardize) this.absorb(numeric, numericOffset);
    if (this.task === "regression" && Number.isFinite(label)) {
      this.targetCount++;
      const delta = label - this.targetMean;
      this.targetMean += delta / this.targetCount;
      this.targetM2 += delta * (label - this.targetMean);
    }
  }

  /**
   * Welford's update of the numeric columns' mean and M2 (missing values skipped). The mean moves
   * by δ·(1/n), 1/n computed once for the columns sharing a count (all of them, when none is
   * missing), and 1/sd is √(n/M2): one division and one square root per column instead of three
   * divisions and a square root; each differs from δ/n and 1/√(M2/n) in the last bit at most.
   */
  private absorb(numeric: Float64Array, numericOffset: number): void {
    const { count, mean, m2, inverseSd, p } = this;
    let lastN = 0;
    let inverseN = 0;
    for (let j = 0; j < p; j++) {
      const x = numeric[numericOffset + j]!;
      if (Number.isNaN(x)) continue;
      const n = count[j]! + 1;
      count[j] = n;
      if (n !== lastN) {
        lastN = n;
        inverseN = 1 / n;
      }
      const delta = x - mean[j]!;
      const next = mean[j]! + delta * inverseN;
      mean[j] = next;
      const m2j = m2[j]! + delta * (x - next);
      m2[j] = m2j;
      inverseSd[j] = n >= 2 && m2j > 0 ? Math.sqrt(n / m2j) : 0;
    }
  }

  /** Regression: the mean the target is centred on (0 before any label). */
  targetCenter(): number {
    return this.targetCount >= 1 ? this.targetMean : 0;
  }

  /** Regression: the sd the target is scaled by (1 while it has no spread). */
  targetScale(): number {
    const variance = this.targetCount >= 2 ? this.targetM2 / this.targetCount : 0;
    return variance > 0 ? Math.sqrt(variance) : 1;
  }

  /** The optimizer's step on the active coordinates, with `margins` holding dℓ/dmargin. */
  private step(m: number): void {
    const { active, xs, a, b, margins, outputs: K, optimizer } = this;
    switch (optimizer.kind) {
      case "ftrl": {
        const { alpha, beta, l1, l2 } = optimizer;
        const inverseAlpha = 1 / alpha;
        const { w, sqrtN } = this;
        for (let i = 0; i < m; i++) {
          const base = active[i]! * K;
          const x = xs[i]!;
          // The bias is not regularised (McMahan et al. regularise only the features).
          const l1i = i === 0 ? 0 : l1;
          const l2i = i === 0 ? 0 : l2;
          for (let k = 0; k < K; k++) {
            const g = margins[k]! * x;
            const at = base + k;
            const n2 = b[at]! + g * g;
            const root = Math.sqrt(n2);
            const sigma = (root - sqrtN[at]!) * inverseAlpha;
            const z = a[at]! + g - sigma * w[at]!;
            a[at] = z;
            b[at] = n2;
            sqrtN[at] = root;
            w[at] = ftrlWeight(z, root, inverseAlpha, beta, l1i, l2i);
          }
        }
        return;
      }
      case "adagrad": {
        const { eta, epsilon, l1, l2 } = optimizer;
        for (let i = 0; i < m; i++) {
          const base = active[i]! * K;
          const x = xs[i]!;
          const bias = i === 0;
          for (let k = 0; k < K; k++) {
            const w = a[base + k]!;
            const g = margins[k]! * x + (bias ? 0 : l2 * w);
            const G = b[base + k]! + g * g;
            b[base + k] = G;
            const h = epsilon + Math.sqrt(G);
            const u = w - (eta * g) / h;
            const t = bias ? 0 : (eta * l1) / h;
            a[base + k] = u > t ? u - t : u < -t ? u + t : 0;
          }
        }
        return;
      }
      case "sgd": {
        const { eta, l1, l2 } = optimizer;
        const shrink = Math.max(0, 1 - eta * l2);
        this.u += eta * l1;
        const u = this.u;
        for (let i = 0; i < m; i++) {
          const base = active[i]! * K;
          const x = xs[i]!;
          const bias = i === 0;
          for (let k = 0; k < K; k++) {
            let w = a[base + k]! * (bias ? 1 : shrink) - eta * margins[k]! * x;
            if (!bias) {
              // Tsuruoka's cumulative L1: pull towards 0 by what this weight has not yet paid, never across it.
              const before = w;
              const q = b[base + k]!;
              if (w > 0) w = Math.max(0, w - (u + q));
              else if (w < 0) w = Math.min(0, w + (u - q));
              b[base + k] = q + (w - before);
            }
            a[base + k] = w;
          }
        }
        return;
      }
    }
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
    const { p, c } = this;
    const { numeric, slots, labels, weights } = batch;
    const kernel = installedLearnKernel();
    if (kernel !== null && this.outputs === 1 && batch.size > 0) {
      // Room for every slot of the batch first: learnEncoded makes it row by row, and a coordinate
      // made early is all zeros until its row, so the model is the same.
      let top = this.coordinates;
      for (let i = 0, end = batch.size * c; i < end; i++) {
        const slot = slots[i]!;
        if (slot >= top) top = slot + 1;
      }
      this.reserve(top);
      this.learnRows(kernel, numeric, 0, slots, 0, batch.size, labels, weights ?? null, 0, 1);
      return;
    }
    for (let r = 0; r < batch.size; r++)
      this.learnEncoded(numeric, r * p, slots, r * c, labels[r]!, weights === undefined ? 1 : weights[r]!);
  }

  /**
   * {@link learnSingle} on `rows` rows through the compiled kernel (learn-kernel.ts): the same
   * operations in the same order, so the same model. The counters travel in `io` and come back.
   */
  private learnRows(
    kernel: LearnRowsKernel,
    numeric: Float64Array,
    numericOffset: number,
    slots: Int32Array,
    slotOffset: number,
    rows: number,
    labels: Float64Array | null,
    weights: Float64Array | null,
    label: number,
    weight: number,
  ): void {
    const io = this.io;
    io[LEARN_IO.capacity] = this.capacity;
    io[LEARN_IO.coordinates] = this.coordinates;
    io[LEARN_IO.u] = this.u;
    io[LEARN_IO.updates] = this.updates;
    io[LEARN_IO.targetCount] = this.targetCount;
    io[LEARN_IO.targetMean] = this.targetMean;
    io[LEARN_IO.targetM2] = this.targetM2;
    io[LEARN_IO.rows] = rows;
    io[LEARN_IO.numericOffset] = numericOffset;
    io[LEARN_IO.slotOffset] = slotOffset;
    io[LEARN_IO.label] = label;
    io[LEARN_IO.weight] = weight;
    kernel(this.state, io, numeric, slots, labels, weights);
    this.u = io[LEARN_IO.u]!;
    this.updates = io[LEARN_IO.updates]!;
    this.targetCount = io[LEARN_IO.targetCount]!;
    this.targetMean = io[LEARN_IO.targetMean]!;
    this.targetM2 = io[LEARN_IO.targetM2]!;
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
    const { a, b, optimizer } = this;
    for (let j = 0; j < this.coordinates; j++)
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
    const mean = new Float64Array(this.p);
    const scale = new Float64Array(this.p);
    if (!this.standardize) return { mean, scale: scale.fill(1) };
    for (let j = 0; j < this.p; j++) {
      const n = this.count[j]!;
      const variance = n >= 2 ? this.m2[j]! / n : 0;
      mean[j] = n >= 1 ? this.mean[j]! : 0;
      scale[j] = variance > 0 ? Math.sqrt(variance) : 0;
    }
    return { mean, scale };
  }

  /** The model's whole state, lossless. */
  toJSON(): LinearModelJson {
    const size = this.coordinates * this.outputs;
    return {
      format: "tiktoktoe.linear/1",
      task: this.task,
      classes: this.classes,
      optimizer: this.optimizer,
      standardize: this.standardize,
      encoder: this.encoder.toJSON(),
      coordinates: this.coordinates,
      a: typedToBase64(this.a.slice(0, size)),
      b: typedToBase64(this.b.slice(0, size)),
      u: this.u,
      updates: this.updates,
      count: typedToBase64(this.count),
      mean: typedToBase64(this.mean),
      m2: typedToBase64(this.m2),
      target: { count: this.targetCount, mean: this.targetMean, m2: this.targetM2 },
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
    model.reserve(json.coordinates);
    model.a.set(float64ArrayFromBase64(json.a));
    model.b.set(float64ArrayFromBase64(json.b));
    model.u = json.u;
    model.updates = json.updates;
    model.count.set(float64ArrayFromBase64(json.count));
    model.mean.set(float64ArrayFromBase64(json.mean));
    model.m2.set(float64ArrayFromBase64(json.m2));
    model.targetCount = json.target.count;
    model.targetMean = json.target.mean;
    model.targetM2 = json.target.m2;
    model.refreshDerived();
    return model;
  }

  /** Recomputes the caches derived from the serialised state (FTRL's w and √n, 1/sd). */
  private refreshDerived(): void {
    const { optimizer, outputs: K } = this;
    if (optimizer.kind === "ftrl")
      for (let j = 0; j < this.coordinates; j++)
        for (let k = 0; k < K; k++) {
          const at = j * K + k;
          const root = Math.sqrt(this.b[at]!);
          this.sqrtN[at] = root;
          this.w[at] = ftrlWeight(
            this.a[at]!,
            root,
            1 / optimizer.alpha,
            optimizer.beta,
            j === 0 ? 0 : optimizer.l1,
            j === 0 ? 0 : optimizer.l2,
          );
        }
    for (let j = 0; j < this.p; j++) {
      const n = this.count[j]!;
      const m2 = this.m2[j]!;
      this.inverseSd[j] = n >= 2 && m2 > 0 ? Math.sqrt(n / m2) : 0;
    }
  }
}

/**
 * FTRL-Proximal's closed-form weight (McMahan et al. 2013, Algorithm 1):
 * 0 when |z| ≤ λ₁, else −(z − sgn(z)·λ₁) / ((β + √n)·(1/α) + λ₂). 1/α is computed once per update
 * (a multiplication instead of a division per coordinate; it differs from (β + √n)/α in the last bit
 * at most).
 */
function ftrlWeight(
  z: number,
  rootN: number,
  inverseAlpha: number,
  beta: number,
  l1: number,
  l2: number,
): number {
  if (z <= l1 && z >= -l1) return 0;
  return -(z - (z > 0 ? l1 : -l1)) / ((beta + rootN) * inverseAlpha + l2);
}

function sigmoid(margin: number): number {
  return margin >= 0 ? 1 / (1 + Math.exp(-margin)) : Math.exp(margin) / (1 + Math.exp(margin));
}

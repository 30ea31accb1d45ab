import type { OptimizerSettings } from "./optimizers.js";

/**
 * The numbers of an online linear model (linear-model.ts) and how they are read: the optimizer's
 * per-coordinate state and the numeric columns' running statistics in one growable array, the
 * caches derived from them, and the margin of a sample at the current state. The update loops
 * (linear-updates.ts) and the compiled kernel's glue (linear-native.ts) change them; this file
 * grows them, rebuilds what is derived from them, and reads them.
 */

/** What the model predicts. */
export const learnTasks = ["binary", "multiclass", "regression"] as const;

/** One of {@link learnTasks}. */
export type LearnTask = (typeof learnTasks)[number];

/**
 * The mutable state of one OnlineLinearModel (linear-model.ts): its fields are read and written in place by
 * the update loops, so they are plain properties, not a public surface (src/learn/index.ts does not
 * export this class).
 *
 * @example
 * ```ts
 * const state = new LinearState("binary", 1, DEFAULT_FTRL, true, 2, 0);
 * state.reserve(3);
 * state.marginSingle(new Float64Array([0.5, 1]), 0, new Int32Array(0), 0); // 0 before any update
 * ```
 */
export class LinearState {
  coordinates = 0;
  capacity = 0;
  // The whole numeric state in one array (count, mean, m2, 1/sd, then a, b and FTRL's w and √n, each
  // a view of it), so that the compiled update loop (learn-kernel.ts) takes it in one argument.
  packed = new Float64Array(0);
  a = new Float64Array(0);
  b = new Float64Array(0);
  // FTRL only, derived from z and n (never serialised): each coordinate's current weight and √n,
  // refreshed when the coordinate is updated, so a prediction costs no square root or division.
  w = new Float64Array(0);
  sqrtN = new Float64Array(0);
  /** 1/sd per numeric column, 0 while it has no spread (derived from count and M2). */
  inverseSd = new Float64Array(0);
  u = 0;
  updates = 0;
  // Regression: the target's running statistics. Learning y standardised keeps FTRL's and AdaGrad's
  // steps on the same scale whatever the target's units (rentals in the hundreds learned slowly).
  targetCount = 0;
  targetMean = 0;
  targetM2 = 0;
  count = new Float64Array(0);
  mean = new Float64Array(0);
  m2 = new Float64Array(0);
  // Scratch buffers of one sample, reused so the hot path allocates nothing.
  readonly active: Int32Array;
  readonly xs: Float64Array;
  readonly margins: Float64Array;
  /** How many slot coordinates {@link marginSingle} put in `active`. */
  slotsActive = 0;

  constructor(
    readonly task: LearnTask,
    /** 1 for regression and binary (the logit of the positive class), K for multiclass. */
    readonly outputs: number,
    readonly optimizer: OptimizerSettings,
    readonly standardize: boolean,
    /** Numeric columns. */
    readonly p: number,
    /** Categorical slots per row. */
    readonly c: number,
  ) {
    const width = 1 + p + c;
    this.active = new Int32Array(width);
    this.xs = new Float64Array(width);
    this.margins = new Float64Array(outputs);
  }

  /** Makes room for `coordinates` coordinates (new ones all zeros), growing the array by doubling. */
  reserve(coordinates: number): void {
    if (coordinates <= this.coordinates) return;
    if (coordinates > this.capacity) {
      const capacity = Math.max(coordinates, this.capacity * 2, 16);
      const { p } = this;
      const size = capacity * this.outputs;
      const ftrl = this.optimizer.kind === "ftrl";
      const state = new Float64Array(4 * p + (ftrl ? 4 : 2) * size);
      state.set(this.packed.subarray(0, 4 * p));
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
      this.packed = state;
      this.capacity = capacity;
    }
    this.coordinates = coordinates;
  }

  /**
   * Collects the sample's active coordinates and their values (standardised numeric values, 1 for
   * the bias and indicators) and the current weight of each (coordinate, output); returns how many.
   */
  gather(numeric: Float64Array, numericOffset: number, slots: Int32Array, slotOffset: number): number {
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

  /** Every output's margin over the `m` coordinates {@link gather} collected, into `margins`. */
  computeMargins(m: number): void {
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
   * One output's margin: fills `xs[1…p]` with the row's (standardised) numeric values and `active[0…]`
   * with its slots' coordinates (their count in {@link slotsActive}), and sums bias, numeric
   * columns, then slots, the order {@link computeMargins} sums in (so the same number).
   */
  marginSingle(numeric: Float64Array, numericOffset: number, slots: Int32Array, slotOffset: number): number {
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

  /** Regression: the mean the target is centred on (0 before any label). */
  targetCenter(): number {
    return this.targetCount >= 1 ? this.targetMean : 0;
  }

  /** Regression: the sd the target is scaled by (1 while it has no spread). */
  targetScale(): number {
    const variance = this.targetCount >= 2 ? this.targetM2 / this.targetCount : 0;
    return variance > 0 ? Math.sqrt(variance) : 1;
  }

  /** Recomputes the caches derived from the serialised state (FTRL's w and √n, 1/sd). */
  refreshDerived(): void {
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
 *
 * @example
 * ```ts
 * ftrlWeight(-2, 1, 1 / 0.1, 1, 1, 0); // 0.05: z beyond λ₁ by 1, over (1 + 1)·10
 * ```
 */
export function ftrlWeight(
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

/**
 * The logistic function, written so neither branch overflows.
 *
 * @example
 * ```ts
 * sigmoid(0); // 0.5
 * ```
 */
export function sigmoid(margin: number): number {
  return margin >= 0 ? 1 / (1 + Math.exp(-margin)) : Math.exp(margin) / (1 + Math.exp(margin));
}

import { TikTokToeError } from "../errors/index.js";
import { seededRandom } from "../stats/index.js";

/**
 * Options of {@link importanceWeights}.
 *
 * @example
 * ```ts
 * const options: DensityRatioOptions = { folds: 5, clip: 0.01, maxWeight: 20, minEssFraction: 0.1 };
 * ```
 */
export interface DensityRatioOptions {
  /** k of the out-of-fold probabilities (default 5): no row is weighed by a classifier that saw it. */
  readonly folds?: number;
  /** Probabilities are clipped to [clip, 1 − clip] before the odds (default 0.01). */
  readonly clip?: number;
  /** Weights are capped here before normalising (default 20). */
  readonly maxWeight?: number;
  /** Refuse when ESS / n is below this (default 0.1). */
  readonly minEssFraction?: number;
  /** L2 penalty of the domain classifier (default 1e-4, per row). */
  readonly l2?: number;
  /** Seed of the fold assignment (default 1). */
  readonly seed?: number;
}

/**
 * Importance weights and how much they cost in effective sample size.
 *
 * @example
 * ```ts
 * const { weights, ess, essFraction } = importanceWeights(source, target, 3);
 * ```
 */
export interface ImportanceWeights {
  /** One weight per source row, mean 1. */
  readonly weights: Float64Array;
  /** Kish's effective sample size (Σw)² / Σw². */
  readonly ess: number;
  readonly essFraction: number;
  /** The domain classifier's coefficients on standardised features (intercept first), fitted on all rows. */
  readonly coefficients: Float64Array;
}

/**
 * Density ratios w(x) = p_target(x) / p_source(x) for the source rows, from a logistic classifier
 * that separates source (0) from target (1): w = (n_s / n_t) · P(1|x) / P(0|x) (Bickel, Brückner
 * and Scheffer, ICML 2007), with out-of-fold probabilities (k folds), clipped, capped, normalised
 * to mean 1. Below `minEssFraction` the shift is too large to correct by weighting and the call
 * throws IMPORTANCE_WEIGHTS_REFUSED. Rows are row-major with `dimensions` numeric columns.
 *
 * @example
 * ```ts
 * const { weights } = importanceWeights(sourceRows, targetRows, 3); // Float64Array, one per source row
 * ```
 */
export function importanceWeights(
  source: Float64Array,
  target: Float64Array,
  dimensions: number,
  options: DensityRatioOptions = {},
): ImportanceWeights {
  const folds = options.folds ?? 5;
  const clip = options.clip ?? 0.01;
  const maxWeight = options.maxWeight ?? 20;
  const minEss = options.minEssFraction ?? 0.1;
  const l2 = options.l2 ?? 1e-4;
  const d = dimensions;
  const ns = source.length / d;
  const nt = target.length / d;
  if (!Number.isInteger(ns) || !Number.isInteger(nt) || ns < folds || nt < folds)
    throw new RangeError(`need at least ${folds} rows per side with ${d} columns each`);
  const n = ns + nt;
  // Pooled standardisation, so the Newton steps are well conditioned whatever the units.
  const x = new Float64Array(n * (d + 1));
  const y = new Float64Array(n);
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let r = 0; r < n; r++)
    for (let j = 0; j < d; j++)
      mean[j] = mean[j]! + (r < ns ? source[r * d + j]! : target[(r - ns) * d + j]!) / n;
  for (let r = 0; r < n; r++)
    for (let j = 0; j < d; j++) {
      const v = (r < ns ? source[r * d + j]! : target[(r - ns) * d + j]!) - mean[j]!;
      sd[j] = sd[j]! + (v * v) / n;
    }
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]!) || 1;
  for (let r = 0; r < n; r++) {
    x[r * (d + 1)] = 1;
    for (let j = 0; j < d; j++)
      x[r * (d + 1) + j + 1] =
        ((r < ns ? source[r * d + j]! : target[(r - ns) * d + j]!) - mean[j]!) / sd[j]!;
    y[r] = r < ns ? 0 : 1;
  }
  // Folds: a seeded shuffle dealt round-robin, per side, so every fold keeps the two sides' ratio.
  const fold = new Int32Array(n);
  const random = seededRandom(options.seed ?? 1);
  for (const [from, to] of [
    [0, ns],
    [ns, n],
  ] as const) {
    const order = Array.from({ length: to - from }, (_, i) => from + i);
    for (let i = order.length - 1; i > 0; i--) {
      const k = Math.floor(random.uniform() * (i + 1));
      [order[i], order[k]] = [order[k]!, order[i]!];
    }
    order.forEach((row, i) => {
      fold[row] = i % folds;
    });
  }
  const weights = new Float64Array(ns);
  for (let f = 0; f < folds; f++) {
    const beta = fitLogistic(x, y, d + 1, (r) => fold[r] !== f, l2);
    let trainSource = 0;
    let trainTarget = 0;
    for (let r = 0; r < n; r++) if (fold[r] !== f) r < ns ? trainSource++ : trainTarget++;
    const prior = trainSource / trainTarget;
    for (let r = 0; r < ns; r++) {
      if (fold[r] !== f) continue;
      let margin = 0;
      for (let j = 0; j <= d; j++) margin += beta[j]! * x[r * (d + 1) + j]!;
      const p = Math.min(1 - clip, Math.max(clip, 1 / (1 + Math.exp(-margin))));
      weights[r] = Math.min(maxWeight, (prior * p) / (1 - p));
    }
  }
  let sum = 0;
  for (const w of weights) sum += w;
  const scale = ns / sum;
  let sumSquares = 0;
  for (let r = 0; r < ns; r++) {
    weights[r] = weights[r]! * scale;
    sumSquares += weights[r]! * weights[r]!;
  }
  const ess = (ns * ns) / sumSquares;
  const essFraction = ess / ns;
  if (essFraction < minEss)
    throw new TikTokToeError(
      "IMPORTANCE_WEIGHTS_REFUSED",
      `the effective sample size of the importance weights is ${ess.toFixed(1)} of ${ns} rows (${(essFraction * 100).toFixed(1)}%), below the floor of ${(minEss * 100).toFixed(1)}%`,
      {
        hint: "the current data is too far from the reference to correct by reweighting: retrain on recent data, or lower minEssFraction knowingly",
      },
    );
  return { weights, ess, essFraction, coefficients: fitLogistic(x, y, d + 1, () => true, l2) };
}

/** L2-penalised logistic regression by Newton's method (IRLS) on the rows `use` selects. */
function fitLogistic(
  x: Float64Array,
  y: Float64Array,
  width: number,
  use: (row: number) => boolean,
  l2: number,
): Float64Array {
  const n = y.length;
  const beta = new Float64Array(width);
  const gradient = new Float64Array(width);
  const hessian = new Float64Array(width * width);
  let rows = 0;
  for (let r = 0; r < n; r++) if (use(r)) rows++;
  for (let iteration = 0; iteration < 50; iteration++) {
    gradient.fill(0);
    hessian.fill(0);
    for (let r = 0; r < n; r++) {
      if (!use(r)) continue;
      const o = r * width;
      let margin = 0;
      for (let j = 0; j < width; j++) margin += beta[j]! * x[o + j]!;
      const p = 1 / (1 + Math.exp(-margin));
      const residual = p - y[r]!;
      const curvature = p * (1 - p);
      for (let j = 0; j < width; j++) {
        gradient[j] = gradient[j]! + residual * x[o + j]!;
        for (let k = 0; k <= j; k++)
          hessian[j * width + k] = hessian[j * width + k]! + curvature * x[o + j]! * x[o + k]!;
      }
    }
    for (let j = 0; j < width; j++) {
      // The intercept is not penalised.
      const penalty = j === 0 ? 1e-12 : l2 * rows;
      gradient[j] = gradient[j]! + (j === 0 ? 0 : penalty * beta[j]!);
      hessian[j * width + j] = hessian[j * width + j]! + penalty;
      for (let k = 0; k < j; k++) hessian[k * width + j] = hessian[j * width + k]!;
    }
    const step = solveSymmetric(hessian, gradient, width);
    let change = 0;
    for (let j = 0; j < width; j++) {
      beta[j] = beta[j]! - step[j]!;
      change = Math.max(change, Math.abs(step[j]!));
    }
    if (change < 1e-10) break;
  }
  return beta;
}

/** Solves A·s = b for symmetric positive definite A by Cholesky. */
function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * n + j]!;
    }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * z[k]!;
    z[i] = sum / l[i * n + i]!;
  }
  const s = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = z[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * s[k]!;
    s[i] = sum / l[i * n + i]!;
  }
  return s;
}

/**
 * KL-divergence (entropy) threshold searches over a fine histogram, in the two published variants:
 * TensorRT's, as pytorch-quantization's `_compute_amax_entropy` implements it, and ONNX Runtime's
 * `HistogramCollector.get_entropy_threshold`. docs/optimization.md sets them side by side.
 */

/**
 * Options of {@link tensorrtEntropyThreshold}.
 *
 * @example
 * ```ts
 * const options: TensorrtEntropyOptions = { levels: 128, startBin: 128 };
 * ```
 */
export interface TensorrtEntropyOptions {
  /** Quantized levels: 128 for int8 (the sign bit is spent on symmetry), 256 for unsigned. Default 128. */
  readonly levels?: number;
  /** First candidate bin count. Default 128. */
  readonly startBin?: number;
  /** Step between candidates. Default 1. */
  readonly stride?: number;
  /**
   * Copy bin 1's count into bin 0 first, as pytorch-quantization does, to flatten the spike of exact
   * zeros a ReLU produces. Default true.
   */
  readonly flattenZeroBin?: boolean;
}

/**
 * The result of an entropy search.
 *
 * @example
 * ```ts
 * const r: EntropySearch = { threshold: 2.5, bin: 250, divergence: 0.01, candidates: 1921 };
 * ```
 */
export interface EntropySearch {
  /** The chosen |x| threshold (TensorRT: `edges[bin]`). */
  readonly threshold: number;
  /** The chosen candidate: bins kept (TensorRT) or window half-width in bins (ONNX Runtime). */
  readonly bin: number;
  /** KL(P‖Q) at the chosen candidate. */
  readonly divergence: number;
  /** Candidates compared (0 when the histogram is too small to have any: the full range is returned). */
  readonly candidates: number;
}

/**
 * TensorRT-style search over a histogram of |x| with bins of `width` from 0: for each candidate i from
 * `startBin` to the bin count, P is the first i bins with all the mass above folded into bin i − 1; Q
 * merges those i bins into `levels` groups (bin j → group ⌊j·levels/i⌋), and spreads each group's total
 * evenly over its non-empty bins (empty bins stay empty). Both are normalised and KL(P‖Q) computed; the
 * threshold is i·width for the minimising i, the largest i on ties (pytorch-quantization's last argmin).
 * A candidate whose last bin is empty but receives clipped mass has Q = 0 where P > 0: KL = ∞.
 *
 * Cost: O(bins) prefix sums, then O(levels) per candidate, since Q is constant over a group's non-empty
 * bins: KL = (Σ p log p − Σ_g S_g log q_g)/N + log(C_i/N), with N all counts, C_i the counts below i,
 * q_g the group's mean over its non-empty bins and S_g the P mass in the group.
 *
 * @example
 * ```ts
 * // 400 bins of width 0.01: an exponential body (10⁴·e^(−j/20)) that empties by bin ~185, and one
 * // outlier in the last bin. MinMax would take 4.0.
 * const counts = Float64Array.from({ length: 400 }, (_, j) => Math.round(1e4 * Math.exp(-j / 20)));
 * counts[399] = 1;
 * tensorrtEntropyThreshold(counts, 0.01).threshold; // 1.99
 * ```
 */
export function tensorrtEntropyThreshold(
  counts: ArrayLike<number>,
  width: number,
  options: TensorrtEntropyOptions = {},
): EntropySearch {
  const levels = options.levels ?? 128;
  const startBin = options.startBin ?? 128;
  const stride = options.stride ?? 1;
  const n = counts.length;
  const c = Float64Array.from(counts);
  if ((options.flattenZeroBin ?? true) && n > 1) c[0] = c[1]!;
  // Prefix sums: counts, non-empty bins, and c·log c.
  const sum = new Float64Array(n + 1);
  const nonEmpty = new Float64Array(n + 1);
  const cLogC = new Float64Array(n + 1);
  for (let j = 0; j < n; j++) {
    const v = c[j]!;
    sum[j + 1] = sum[j]! + v;
    nonEmpty[j + 1] = nonEmpty[j]! + (v > 0 ? 1 : 0);
    cLogC[j + 1] = cLogC[j]! + (v > 0 ? v * Math.log(v) : 0);
  }
  const total = sum[n]!;
  let best = Number.POSITIVE_INFINITY;
  let bestBin = -1;
  let candidates = 0;
  if (total > 0) {
    for (let i = startBin; i <= n; i += stride) {
      candidates++;
      const kl = trtDivergence(c, sum, nonEmpty, cLogC, i, levels, total);
      // The reference takes the last argmin; a difference below rounding (1e-12) counts as a tie.
      const tie = Number.isFinite(best) && kl - best <= 1e-12 * Math.max(1, Math.abs(best));
      if (bestBin < 0 || kl <= best || tie) {
        if (kl < best) best = kl;
        bestBin = i;
      }
    }
  }
  if (candidates === 0) return { threshold: n * width, bin: n, divergence: 0, candidates: 0 };
  return { threshold: bestBin * width, bin: bestBin, divergence: best, candidates };
}

function trtDivergence(
  c: Float64Array,
  sum: Float64Array,
  nonEmpty: Float64Array,
  cLogC: Float64Array,
  i: number,
  levels: number,
  total: number,
): number {
  const inside = sum[i]!;
  const outliers = total - inside;
  const lastCount = c[i - 1]!;
  if (outliers > 0 && lastCount === 0) return Number.POSITIVE_INFINITY;
  if (inside === 0) return Number.POSITIVE_INFINITY;
  const lastP = lastCount + outliers;
  let pLogP = cLogC[i]!;
  if (outliers > 0) pLogP += lastP * Math.log(lastP) - lastCount * Math.log(lastCount);
  let pLogQ = 0;
  for (let g = 0; g < levels; g++) {
    // Bins j with ⌊j·levels/i⌋ = g are [⌈g·i/levels⌉, ⌈(g+1)·i/levels⌉).
    const from = Math.ceil((g * i) / levels);
    const to = Math.min(i, Math.ceil(((g + 1) * i) / levels));
    if (to <= from) continue;
    const z = nonEmpty[to]! - nonEmpty[from]!;
    if (z === 0) continue;
    let mass = sum[to]! - sum[from]!;
    const q = mass / z;
    if (to === i) mass += outliers;
    pLogQ += mass * Math.log(q);
  }
  return (pLogP - pLogQ) / total + Math.log(inside / total);
}

/**
 * Options of {@link onnxruntimeEntropyRange}.
 *
 * @example
 * ```ts
 * const options: OnnxruntimeEntropyOptions = { quantizedBins: 128 };
 * ```
 */
export interface OnnxruntimeEntropyOptions {
  /** ORT's `num_quantized_bins`. Default 128 (ORT's default too). */
  readonly quantizedBins?: number;
}

/**
 * The range chosen by ONNX Runtime's entropy search, with the candidate's KL.
 *
 * @example
 * ```ts
 * const r: EntropyRange = { min: -3, max: 3, halfWidth: 300, divergence: 0.02, candidates: 961 };
 * ```
 */
export interface EntropyRange {
  readonly min: number;
  readonly max: number;
  /** The window's half-width i in bins. */
  readonly halfWidth: number;
  readonly divergence: number;
  readonly candidates: number;
}

/**
 * ONNX Runtime's search over a signed histogram on [−t, t] (`get_entropy_threshold`, semantics kept
 * exactly, including its quirks): with z = ⌊n/2⌋ and h = ⌊quantizedBins/2⌋, for i = h … z the window is
 * bins [z − i, min(z + i + 1, n)), of length L:
 * - P = the window's counts, with everything left of it added to its first bin and right of it to its last;
 * - Q: m = ⌊L/quantizedBins⌋ bins per group; group g sums the window's own counts (without the folded
 *   outliers) over [g·m, (g+1)·m), the last group also takes [quantizedBins·m, L); then every bin of
 *   [g·m, (g+1)·m) gets ⌊sum / (non-empty bins of P there)⌋ — an integer, as ORT writes into an int64 array,
 *   and empty bins too — while the leftover bins [quantizedBins·m, L) get 0;
 * - both are smoothed (ORT's `smooth_distribution`, ε = 1e-4 on counts: empty bins get ε, the others lose
 *   ε·empty/non-empty), normalised, and KL(P‖Q) computed; a Q with no mass scores ∞.
 * The first minimum wins (numpy's argmin); its edges are clipped to the observed [min, max].
 * ORT does the sums in float32; here they are float64.
 *
 * @example
 * ```ts
 * // ORT's defaults, 128 bins and 128 quantized bins, leave one candidate: the whole range (= MinMax).
 * const counts = new Float64Array(128).fill(1);
 * onnxruntimeEntropyRange(counts, 4, -3.5, 4, { quantizedBins: 128 }); // { min: -3.5, max: 4, … }
 * ```
 */
export function onnxruntimeEntropyRange(
  counts: ArrayLike<number>,
  threshold: number,
  observedMin: number,
  observedMax: number,
  options: OnnxruntimeEntropyOptions = {},
): EntropyRange {
  const quantized = options.quantizedBins ?? 128;
  const n = counts.length;
  const zero = Math.floor(n / 2);
  const half = Math.floor(quantized / 2);
  const width = (2 * threshold) / n;
  const edge = (k: number): number => (k === n ? threshold : -threshold + k * width);
  const prefix = new Float64Array(n + 1);
  for (let j = 0; j < n; j++) prefix[j + 1] = prefix[j]! + counts[j]!;
  let best = Number.POSITIVE_INFINITY;
  let bestI = -1;
  let bestLo = -threshold;
  let bestHi = threshold;
  let candidates = 0;
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  const group = new Float64Array(quantized);
  for (let i = half; i <= zero; i++) {
    candidates++;
    const start = zero - i;
    const end = Math.min(zero + i + 1, n);
    const length = end - start;
    for (let j = 0; j < length; j++) p[j] = counts[start + j]!;
    p[0]! += prefix[start]!;
    p[length - 1]! += prefix[n]! - prefix[end]!;
    const merged = Math.floor(length / quantized);
    for (let g = 0; g < quantized; g++)
      group[g] = prefix[start + (g + 1) * merged]! - prefix[start + g * merged]!;
    group[quantized - 1]! += prefix[end]! - prefix[start + quantized * merged]!;
    q.fill(0, 0, length);
    for (let g = 0; g < quantized; g++) {
      let norm = 0;
      for (let j = g * merged; j < (g + 1) * merged; j++) if (p[j] !== 0) norm++;
      if (norm === 0) continue;
      const value = Math.trunc(group[g]! / norm);
      for (let j = g * merged; j < (g + 1) * merged; j++) q[j] = value;
    }
    const kl = smoothedDivergence(p, q, length);
    if (kl < best || bestI < 0) {
      best = kl;
      bestI = i;
      bestLo = edge(start);
      bestHi = edge(end);
    }
  }
  if (candidates === 0)
    return { min: observedMin, max: observedMax, halfWidth: zero, divergence: 0, candidates: 0 };
  return {
    min: Math.max(bestLo, observedMin),
    max: Math.min(bestHi, observedMax),
    halfWidth: bestI,
    divergence: best,
    candidates,
  };
}

const SMOOTHING = 1e-4;

/** KL(P‖Q) after ORT's `smooth_distribution` on both; ∞ when either has no mass. */
function smoothedDivergence(p: Float64Array, q: Float64Array, length: number): number {
  let pZeros = 0;
  let qZeros = 0;
  for (let j = 0; j < length; j++) {
    if (p[j] === 0) pZeros++;
    if (q[j] === 0) qZeros++;
  }
  if (pZeros === length || qZeros === length) return Number.POSITIVE_INFINITY;
  const pTake = (SMOOTHING * pZeros) / (length - pZeros);
  const qTake = (SMOOTHING * qZeros) / (length - qZeros);
  let pTotal = 0;
  let qTotal = 0;
  for (let j = 0; j < length; j++) {
    pTotal += p[j] === 0 ? SMOOTHING : p[j]! - pTake;
    qTotal += q[j] === 0 ? SMOOTHING : q[j]! - qTake;
  }
  let kl = 0;
  for (let j = 0; j < length; j++) {
    const pj = (p[j] === 0 ? SMOOTHING : p[j]! - pTake) / pTotal;
    const qj = (q[j] === 0 ? SMOOTHING : q[j]! - qTake) / qTotal;
    kl += pj * Math.log(pj / qj);
  }
  return kl;
}

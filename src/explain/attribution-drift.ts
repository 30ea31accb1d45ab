/**
 * Feature-attribution drift: has the model's reliance on its features changed between the reference and
 * a current window? SageMaker Clarify's `feature_attribution_drift_check` compares the rankings of
 * global attributions by nDCG and flags a value below 0.9; we do the same, and add Spearman's rank
 * correlation and the features whose rank moved, so an alert can say what changed.
 *
 * nDCG@k, exactly. Let rᶠ = max(reference importance of f, 0) be the relevance of feature f (a negative
 * importance — a feature whose shuffling helped — carries no relevance; NaN is rejected). Let π list the
 * features by current importance, largest first, and σ by relevance, largest first (ties in either keep
 * column order). With linear gains and the log₂ discount,
 *
 *   DCG@k  = Σᵢ₌₁..ₖ r^{π(i)} / log₂(i + 1)
 *   IDCG@k = Σᵢ₌₁..ₖ r^{σ(i)} / log₂(i + 1)
 *   nDCG@k = DCG@k / IDCG@k  ∈ [0, 1],
 *
 * k defaulting to every feature (as Clarify does). It is 1 when the current ranking puts the reference's
 * important features first in the reference's order, and it weighs a swap among the top features more
 * than one among the tail, and a highly relevant feature more than a barely relevant one.
 *
 * nDCG alone misses a top feature that keeps its rank but loses most of its weight (the bike model's
 * `hr` fell from 97 to 37 with nDCG 0.98): so a second rule flags a large change of a top feature's
 * importance. Feature f, among the reference's `topK` most important (default 3) with a positive
 * reference importance rᶠ, has changed when its current importance cᶠ is at most rᶠ / `factor` or at
 * least rᶠ · `factor` (default 2: halved or doubled; cᶠ ≤ 0 counts as halved), and the change
 * |cᶠ − rᶠ| is at least `minShare` (default 0.1) of the reference's total positive importance — so a
 * barely relevant feature that happens to be third of three may double unnoticed. Drifted = nDCG below
 * its threshold, or any such change.
 */

import { averageRanks, rankDescending } from "./ranking.js";

/**
 * Default nDCG below which the attributions have drifted (SageMaker Clarify's threshold).
 *
 * @example
 * ```ts
 * attributionDrift(reference, current, { threshold: ATTRIBUTION_DRIFT_THRESHOLD });
 * ```
 */
export const ATTRIBUTION_DRIFT_THRESHOLD = 0.9;

/**
 * Default factor by which a top feature's importance must fall or rise to count as drift.
 *
 * @example
 * ```ts
 * attributionDrift(reference, current, { importanceFactor: IMPORTANCE_CHANGE_FACTOR });
 * ```
 */
export const IMPORTANCE_CHANGE_FACTOR = 2;

/**
 * Options of {@link attributionDrift}.
 *
 * @example
 * ```ts
 * const options: AttributionDriftOptions = { k: 5, threshold: 0.9, names: ["age", "income"] };
 * ```
 */
export interface AttributionDriftOptions {
  /** Ranking depth of nDCG (≥ 1; larger values mean every feature); default every feature. */
  readonly k?: number;
  /** nDCG below this has drifted; default {@link ATTRIBUTION_DRIFT_THRESHOLD}. */
  readonly threshold?: number;
  /** Feature names for `topChanges`; default `x0`, `x1`, …. */
  readonly names?: readonly string[];
  /** How many of the reference's most important features the importance rule watches; default 3. */
  readonly topK?: number;
  /** A watched feature changed when its importance fell to 1/factor or rose to factor times; default 2. */
  readonly importanceFactor?: number;
  /** …and the change is at least this share of the reference's total positive importance; default 0.1. */
  readonly minShare?: number;
}

/**
 * A feature whose place in the ranking moved.
 *
 * @example
 * ```ts
 * const { name, referenceRank, currentRank } = drift.topChanges[0]!; // "x3" was 1st, is now 4th
 * ```
 */
export interface AttributionChange {
  readonly feature: number;
  readonly name: string;
  /** The feature's importance in the reference and now. */
  readonly reference: number;
  readonly current: number;
  /** 1-based positions in the reference's and the current ranking. */
  readonly referenceRank: number;
  readonly currentRank: number;
}

/**
 * What {@link attributionDrift} returns.
 *
 * @example
 * ```ts
 * const { ndcg, spearman, drifted } = attributionDrift(reference, current);
 * ```
 */
export interface AttributionDrift {
  /** nDCG@k of the current ranking against the reference's relevance; null when no reference importance is positive. */
  readonly ndcg: number | null;
  /** Spearman's rank correlation of the two importance vectors; null for fewer than 2 features or a constant vector. */
  readonly spearman: number | null;
  /** The k actually used. */
  readonly k: number;
  /**
   * Features in the top k of either ranking whose position changed, largest move first (ties: the
   * reference's more important feature first).
   */
  readonly topChanges: readonly AttributionChange[];
  /**
   * Features among the reference's top `topK` whose importance fell to 1/`importanceFactor` of its
   * reference value or below, or rose to `importanceFactor` times or above; largest reference first.
   */
  readonly importanceChanges: readonly AttributionChange[];
  /** Why it drifted: `ranking` (nDCG below the threshold), `importance` (a top feature's importance changed). */
  readonly reasons: ReadonlyArray<"ranking" | "importance">;
  /** `ndcg < threshold` (false when `ndcg` is null), or any importance change. */
  readonly drifted: boolean;
}

/**
 * nDCG@k of the ranking by `current` importances, with the reference's non-negative importances as the
 * relevance (the formula is in this module's comment). Null when no reference importance is positive:
 * there is then nothing to rank well or badly.
 *
 * @example
 * ```ts
 * ndcgAtK([0.7, 0.5, 0.05], [0.1, 0.2, 0.7]); // 0.6876…: the ranking reversed (SageMaker's example)
 * ```
 */
export function ndcgAtK(reference: ArrayLike<number>, current: ArrayLike<number>, k?: number): number | null {
  checkLengths(reference, current);
  const depth = depthOf(k, reference.length);
  const relevance = Array.from(reference, (r) => Math.max(r, 0));
  const ranked = rankDescending(current);
  const ideal = rankDescending(relevance);
  let dcg = 0;
  let idcg = 0;
  for (let i = 0; i < depth; i++) {
    const discount = Math.log2(i + 2);
    dcg += relevance[ranked[i]!]! / discount;
    idcg += relevance[ideal[i]!]! / discount;
  }
  return idcg > 0 ? dcg / idcg : null;
}

/**
 * Spearman's rank correlation (ties get their average rank, as `scipy.stats.spearmanr`): the Pearson
 * correlation of the ranks. Null for fewer than two values or when either vector is constant (where
 * scipy returns NaN).
 *
 * @example
 * ```ts
 * spearmanCorrelation([1, 2, 3], [30, 20, 10]); // −1
 * ```
 */
export function spearmanCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = checkLengths(a, b);
  if (n < 2) return null;
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  // Average ranks of n values always have mean (n + 1) / 2.
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = ra[i]! - mean;
    const db = rb[i]! - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return null;
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Compares a current window's global importances (mean |attribution|, or permutation importance) with
 * the reference's: nDCG@k, Spearman's correlation, the features that moved, and whether it drifted —
 * nDCG below the threshold, or a top feature's importance halved or doubled (this module's comment).
 *
 * @example
 * ```ts
 * const drift = attributionDrift([0.7, 0.5, 0.05], [0.1, 0.2, 0.7], { names: ["sat", "gpa", "rank"] });
 * drift.drifted; // true: nDCG 0.688 < 0.9
 * drift.topChanges.map((c) => c.name); // ["sat", "rank"]: each moved two places
 * ```
 */
export function attributionDrift(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: AttributionDriftOptions = {},
): AttributionDrift {
  const n = checkLengths(reference, current);
  const k = depthOf(options.k, n);
  const threshold = options.threshold ?? ATTRIBUTION_DRIFT_THRESHOLD;
  if (options.names !== undefined && options.names.length !== n) {
    throw new RangeError(`${options.names.length} names for ${n} features`);
  }
  const ndcg = ndcgAtK(reference, current, k);
  const referenceRanking = rankDescending(reference);
  const currentRanking = rankDescending(current);
  const referenceRank = new Uint32Array(n);
  const currentRank = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    referenceRank[referenceRanking[i]!] = i + 1;
    currentRank[currentRanking[i]!] = i + 1;
  }
  const topChanges: AttributionChange[] = [];
  for (let f = 0; f < n; f++) {
    const was = referenceRank[f]!;
    const now = currentRank[f]!;
    if (was === now || (was > k && now > k)) continue;
    topChanges.push({
      feature: f,
      name: options.names?.[f] ?? `x${f}`,
      reference: reference[f]!,
      current: current[f]!,
      referenceRank: was,
      currentRank: now,
    });
  }
  topChanges.sort(
    (x, y) =>
      Math.abs(y.currentRank - y.referenceRank) - Math.abs(x.currentRank - x.referenceRank) ||
      x.referenceRank - y.referenceRank,
  );
  const topK = options.topK ?? 3;
  const factor = options.importanceFactor ?? IMPORTANCE_CHANGE_FACTOR;
  if (!Number.isSafeInteger(topK) || topK < 1)
    throw new RangeError(`topK must be an integer ≥ 1, got ${topK}`);
  if (!(factor > 1)) throw new RangeError(`importanceFactor must be above 1, got ${factor}`);
  const minShare = options.minShare ?? 0.1;
  let total = 0;
  for (let f = 0; f < n; f++) total += Math.max(reference[f]!, 0);
  const importanceChanges: AttributionChange[] = [];
  for (const f of referenceRanking.slice(0, topK)) {
    const was = reference[f]!;
    const now = current[f]!;
    // Only a positive reference importance has a ratio; a feature that did not matter cannot halve.
    if (!(was > 0) || (now > was / factor && now < was * factor)) continue;
    if (Math.abs(now - was) < minShare * total) continue;
    importanceChanges.push({
      feature: f,
      name: options.names?.[f] ?? `x${f}`,
      reference: was,
      current: now,
      referenceRank: referenceRank[f]!,
      currentRank: currentRank[f]!,
    });
  }
  const reasons: Array<"ranking" | "importance"> = [];
  if (ndcg !== null && ndcg < threshold) reasons.push("ranking");
  if (importanceChanges.length > 0) reasons.push("importance");
  return {
    ndcg,
    spearman: spearmanCorrelation(reference, current),
    k,
    topChanges,
    importanceChanges,
    reasons,
    drifted: reasons.length > 0,
  };
}

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`reference has ${a.length} features, current ${b.length}`);
  for (const v of [...Array.from(a), ...Array.from(b)]) {
    if (Number.isNaN(v)) throw new RangeError("importances must not be NaN");
  }
  return a.length;
}

function depthOf(k: number | undefined, n: number): number {
  if (k === undefined) return n;
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`k must be an integer ≥ 1, got ${k}`);
  return Math.min(k, n);
}

/**
 * Binary ROC AUC over a window of (score, label) pairs, in bounded memory, mergeable.
 *
 * Up to `exactLimit` pairs it keeps the pairs and computes the AUC exactly as scikit-learn 1.2.1's
 * `roc_auc_score` does: the trapezoid under the ROC curve with tied scores forming one step, which is
 * the Mann–Whitney statistic with ties counted ½. We compute it from integer pair counts, so the only
 * rounding is the final division (scikit-learn's trapezoid sum rounds a little more; the two agree to
 * about 1e-15).
 *
 * Beyond the limit it switches, for good, to a histogram of the scores per class on `bins` equal bins of
 * [0, 1] (scores below 0 or above 1 land in the end bins). Pairs in different bins are still ordered
 * exactly; pairs sharing a bin are counted ½, as if tied. The exact AUC counts each of those 0, ½ or 1,
 * so the histogram AUC is within
 *
 *   errorBound = ½ · (positive–negative pairs sharing a bin) / (positives · negatives)
 *
 * of the exact value, and the result reports that bound. With 10,000 bins and scores spread over [0, 1]
 * it is of order 1e-4 or less; scores crowded into a few bins make it larger, and the bound says so.
 */

import { expectCount, expectNumbers, expectRecord } from "./json.js";

/**
 * Default number of (score, label) pairs kept exactly per window before switching to the histogram.
 *
 * @example
 * ```ts
 * new RocAucAccumulator({ exactLimit: ROC_AUC_EXACT_LIMIT }); // the default
 * ```
 */
export const ROC_AUC_EXACT_LIMIT = 100_000;

/**
 * Default number of equal-width score bins on [0, 1] in histogram mode.
 *
 * @example
 * ```ts
 * new RocAucAccumulator({ bins: ROC_AUC_BINS }); // the default
 * ```
 */
export const ROC_AUC_BINS = 10_000;

/**
 * Memory bounds of a {@link RocAucAccumulator}. Accumulators merge only with ones of equal options.
 *
 * @example
 * ```ts
 * const options: RocAucOptions = { exactLimit: 50_000, bins: 20_000 };
 * ```
 */
export interface RocAucOptions {
  /** Pairs kept exactly (≥ 0); one more switches to the histogram. Default {@link ROC_AUC_EXACT_LIMIT}. */
  readonly exactLimit?: number;
  /** Histogram bins on [0, 1] (≥ 1). Default {@link ROC_AUC_BINS}. */
  readonly bins?: number;
}

/**
 * What {@link RocAucAccumulator.result} reports.
 *
 * @example
 * ```ts
 * const { rocAuc, exact, errorBound }: RocAucResult = accumulator.result();
 * ```
 */
export interface RocAucResult {
  /** The AUC; null unless both classes occur (scikit-learn raises "Only one class present in y_true"). */
  readonly rocAuc: number | null;
  /** Whether the pairs were kept exactly (no histogram). */
  readonly exact: boolean;
  /** Largest possible |rocAuc − exact AUC|: 0 in exact mode; null when rocAuc is null. */
  readonly errorBound: number | null;
  /** Scored pairs whose true label is the positive class. */
  readonly positives: number;
  /** Scored pairs whose true label is the negative class. */
  readonly negatives: number;
}

/**
 * The JSON form of a {@link RocAucAccumulator}: the pairs in exact mode; in histogram mode, the non-empty
 * bins as flat `[bin, count, bin, count, …]` lists (most of 10,000 bins are empty in a small window).
 *
 * @example
 * ```ts
 * const json: RocAucJson = { mode: "exact", exactLimit: 100000, bins: 10000, scores: [0.2, 0.9], positive: [0, 1] };
 * ```
 */
export type RocAucJson =
  | {
      readonly mode: "exact";
      readonly exactLimit: number;
      readonly bins: number;
      readonly scores: number[];
      /** 1 where the pair's true label is the positive class. */
      readonly positive: number[];
    }
  | {
      readonly mode: "histogram";
      readonly exactLimit: number;
      readonly bins: number;
      readonly positive: number[];
      readonly negative: number[];
    };

/**
 * Accumulates (score, is-positive) pairs of one window; see the module comment for the two modes.
 *
 * @example
 * ```ts
 * const auc = new RocAucAccumulator();
 * auc.add(0.1, false);
 * auc.add(0.35, true);
 * auc.add(0.4, false);
 * auc.add(0.8, true);
 * auc.result().rocAuc; // 0.75, as roc_auc_score([0, 1, 0, 1], [0.1, 0.35, 0.4, 0.8])
 * ```
 */
export class RocAucAccumulator {
  /** Pairs kept exactly before switching to the histogram. */
  readonly exactLimit: number;
  /** Histogram bins on [0, 1]. */
  readonly bins: number;
  private scores: Float64Array | undefined = new Float64Array(0);
  private flags: Uint8Array | undefined = new Uint8Array(0);
  private positiveBins: Float64Array | undefined;
  private negativeBins: Float64Array | undefined;
  private n = 0;
  private nPositive = 0;

  constructor(options: RocAucOptions = {}) {
    const exactLimit = options.exactLimit ?? ROC_AUC_EXACT_LIMIT;
    const bins = options.bins ?? ROC_AUC_BINS;
    if (!Number.isSafeInteger(exactLimit) || exactLimit < 0) {
      throw new RangeError(`exactLimit must be a non-negative integer, got ${exactLimit}`);
    }
    if (!Number.isSafeInteger(bins) || bins < 1 || bins > 2 ** 24) {
      throw new RangeError(`bins must be an integer from 1 to 2^24, got ${bins}`);
    }
    this.exactLimit = exactLimit;
    this.bins = bins;
  }

  /** Whether every pair is still kept exactly. */
  get exact(): boolean {
    return this.scores !== undefined;
  }

  /** Pairs added. */
  get count(): number {
    return this.n;
  }

  /** Adds one pair; the score must be finite (scikit-learn rejects NaN and infinities too). */
  add(score: number, isPositive: boolean): void {
    if (!Number.isFinite(score)) throw new RangeError(`a score must be finite, got ${score}`);
    if (this.scores !== undefined && this.n >= this.exactLimit) this.toHistogram();
    this.push(score, isPositive);
  }

  /**
   * Adds another window's pairs. Exact + exact stays exact while the total is within `exactLimit`;
   * otherwise the result is a histogram. `other` is not changed.
   */
  merge(other: RocAucAccumulator): this {
    if (other.exactLimit !== this.exactLimit || other.bins !== this.bins) {
      throw new RangeError("cannot merge ROC AUC accumulators with different exactLimit or bins");
    }
    const m = other.n;
    // Read other's arrays first: other may be this.
    const scores = other.scores;
    const flags = other.flags;
    if (scores !== undefined && flags !== undefined) {
      if (this.scores !== undefined && this.n + m > this.exactLimit) this.toHistogram();
      for (let i = 0; i < m; i++) this.push(scores[i]!, flags[i] === 1);
      return this;
    }
    this.toHistogram();
    const positive = this.positiveBins!;
    const negative = this.negativeBins!;
    const otherPositive = other.positiveBins!;
    const otherNegative = other.negativeBins!;
    for (let b = 0; b < this.bins; b++) {
      positive[b]! += otherPositive[b]!;
      negative[b]! += otherNegative[b]!;
    }
    this.n += m;
    this.nPositive += other.nPositive;
    return this;
  }

  /** The AUC (exact, or from the histogram with its error bound). */
  result(): RocAucResult {
    const positives = this.nPositive;
    const negatives = this.n - this.nPositive;
    const exact = this.exact;
    if (positives === 0 || negatives === 0)
      return { rocAuc: null, exact, errorBound: null, positives, negatives };
    // twice = 2·(pairs ranked correctly) + (pairs tied): integers, exact below 2^53.
    let twice = 0;
    let tied = 0;
    if (this.scores !== undefined && this.flags !== undefined) {
      const pos = new Float64Array(positives);
      const neg = new Float64Array(negatives);
      for (let i = 0, p = 0, q = 0; i < this.n; i++) {
        if (this.flags[i] === 1) pos[p++] = this.scores[i]!;
        else neg[q++] = this.scores[i]!;
      }
      pos.sort();
      neg.sort();
      let less = 0;
      let lessOrEqual = 0;
      for (let i = 0; i < positives; i++) {
        const s = pos[i]!;
        while (less < negatives && neg[less]! < s) less++;
        while (lessOrEqual < negatives && neg[lessOrEqual]! <= s) lessOrEqual++;
        twice += less + lessOrEqual;
      }
    } else {
      const positive = this.positiveBins!;
      const negative = this.negativeBins!;
      let below = 0;
      for (let b = 0; b < this.bins; b++) {
        const p = positive[b]!;
        const q = negative[b]!;
        twice += p * (2 * below + q);
        tied += p * q;
        below += q;
      }
    }
    const pairs2 = 2 * positives * negatives;
    return { rocAuc: twice / pairs2, exact, errorBound: tied / pairs2, positives, negatives };
  }

  /** The state as JSON ({@link RocAucJson}); {@link RocAucAccumulator.fromJSON} restores it exactly. */
  toJSON(): RocAucJson {
    const { exactLimit, bins } = this;
    if (this.scores !== undefined && this.flags !== undefined) {
      return {
        mode: "exact",
        exactLimit,
        bins,
        scores: Array.from(this.scores.subarray(0, this.n)),
        positive: Array.from(this.flags.subarray(0, this.n)),
      };
    }
    return {
      mode: "histogram",
      exactLimit,
      bins,
      positive: sparse(this.positiveBins!),
      negative: sparse(this.negativeBins!),
    };
  }

  /** Restores an accumulator from {@link RocAucAccumulator.toJSON}'s form. */
  static fromJSON(value: unknown): RocAucAccumulator {
    const record = expectRecord(value, "rocAuc");
    const accumulator = new RocAucAccumulator({
      exactLimit: expectCount(record.exactLimit, "rocAuc.exactLimit"),
      bins: expectCount(record.bins, "rocAuc.bins"),
    });
    if (record.mode === "exact") {
      const scores = expectNumbers(record.scores, "rocAuc.scores");
      const positive = expectNumbers(record.positive, "rocAuc.positive");
      if (positive.length !== scores.length || scores.length > accumulator.exactLimit) {
        throw new TypeError(
          "fromJSON: rocAuc.scores and rocAuc.positive must have one entry per pair, within exactLimit",
        );
      }
      scores.forEach((score, i) => {
        const flag = positive[i]!;
        if (flag !== 0 && flag !== 1) throw new TypeError("fromJSON: rocAuc.positive must hold 0 or 1");
        accumulator.push(score, flag === 1);
      });
    } else if (record.mode === "histogram") {
      accumulator.toHistogram();
      accumulator.nPositive = dense(record.positive, accumulator.positiveBins!, "rocAuc.positive");
      accumulator.n =
        accumulator.nPositive + dense(record.negative, accumulator.negativeBins!, "rocAuc.negative");
    } else {
      throw new TypeError(`fromJSON: rocAuc.mode must be "exact" or "histogram"`);
    }
    return accumulator;
  }

  private push(score: number, isPositive: boolean): void {
    if (this.scores !== undefined && this.flags !== undefined) {
      if (this.n === this.scores.length) this.grow();
      // + 0 turns -0 into 0, so the JSON round trip is bit-exact.
      this.scores[this.n] = score + 0;
      this.flags[this.n] = isPositive ? 1 : 0;
    } else {
      (isPositive ? this.positiveBins! : this.negativeBins!)[this.bin(score)]! += 1;
    }
    this.n++;
    if (isPositive) this.nPositive++;
  }

  private grow(): void {
    const capacity = Math.min(this.exactLimit, Math.max(64, 2 * this.n));
    const scores = new Float64Array(capacity);
    const flags = new Uint8Array(capacity);
    scores.set(this.scores!.subarray(0, this.n));
    flags.set(this.flags!.subarray(0, this.n));
    this.scores = scores;
    this.flags = flags;
  }

  private bin(score: number): number {
    // floor(score·bins) is monotone in the score, so pairs in different bins keep their order.
    return Math.min(this.bins - 1, Math.max(0, Math.floor(score * this.bins)));
  }

  private toHistogram(): void {
    if (this.scores === undefined || this.flags === undefined) return;
    const scores = this.scores;
    const flags = this.flags;
    const n = this.n;
    this.scores = undefined;
    this.flags = undefined;
    this.positiveBins = new Float64Array(this.bins);
    this.negativeBins = new Float64Array(this.bins);
    this.n = 0;
    this.nPositive = 0;
    for (let i = 0; i < n; i++) this.push(scores[i]!, flags[i] === 1);
  }
}

function sparse(counts: Float64Array): number[] {
  const out: number[] = [];
  for (let b = 0; b < counts.length; b++) if (counts[b]! > 0) out.push(b, counts[b]!);
  return out;
}

function dense(value: unknown, into: Float64Array, what: string): number {
  const flat = expectNumbers(value, what);
  if (flat.length % 2 !== 0) throw new TypeError(`fromJSON: ${what} must be [bin, count, …] pairs`);
  let total = 0;
  for (let i = 0; i < flat.length; i += 2) {
    const bin = expectCount(flat[i], `${what} bin`);
    const count = expectCount(flat[i + 1], `${what} count`);
    if (bin >= into.length) throw new TypeError(`fromJSON: ${what} bin ${bin} is out of range`);
    into[bin]! += count;
    total += count;
  }
  return total;
}

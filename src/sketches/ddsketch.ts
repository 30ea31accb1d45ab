/**
 * DDSketch (Masson, Rim and Lee, "DDSketch: a fast and fully-mergeable quantile sketch with
 * relative-error guarantees", VLDB 2019): quantiles of a stream within a relative error α, in memory
 * bounded whatever the stream, and mergeable exactly — the per-window latency summary of the monitoring
 * server, merged from hourly into daily windows.
 */

import { DenseStore } from "./dense-store.js";

/**
 * Default relative accuracy α: every quantile within 1% of the true value.
 *
 * @example
 * ```ts
 * new DDSketch({ relativeAccuracy: DDSKETCH_DEFAULT_RELATIVE_ACCURACY }); // the same as new DDSketch()
 * ```
 */
export const DDSKETCH_DEFAULT_RELATIVE_ACCURACY = 0.01;

/**
 * Default bound on buckets per sign. At α = 0.01 it spans a factor γ^2047 ≈ 6·10^17 — 17 orders of
 * magnitude — before any collapsing; the store is at most 2048 × 8 bytes = 16 KiB.
 *
 * @example
 * ```ts
 * new DDSketch({ maxBuckets: DDSKETCH_DEFAULT_MAX_BUCKETS }); // the same as new DDSketch()
 * ```
 */
export const DDSKETCH_DEFAULT_MAX_BUCKETS = 2048;

/**
 * Options of {@link DDSketch}.
 *
 * @example
 * ```ts
 * const options: DDSketchOptions = { relativeAccuracy: 0.005, maxBuckets: 4096 };
 * ```
 */
export interface DDSketchOptions {
  /** α in (0, 1): the relative error bound of every quantile. Default 0.01. */
  readonly relativeAccuracy?: number;
  /** Most buckets kept for each sign (a positive integer). Default 2048. */
  readonly maxBuckets?: number;
}

/**
 * Buckets of one sign in {@link DDSketchJSON}: `counts[j]` is the count of bucket index `offset + j`,
 * where a value x ≠ 0 falls in bucket ⌈log_γ |x|⌉. Trimmed: the first and last counts are non-zero;
 * empty is `{ offset: 0, counts: [] }`.
 *
 * @example
 * ```ts
 * const buckets: DDSketchBucketsJSON = { offset: 116, counts: [3, 0, 1] }; // indices 116..118
 * ```
 */
export interface DDSketchBucketsJSON {
  readonly offset: number;
  readonly counts: readonly number[];
}

/**
 * The stored form of a {@link DDSketch} (version 1): plain JSON, canonical (two equal sketches give
 * equal objects, key order included), and exact — {@link DDSketch.fromJSON} rebuilds the same sketch.
 *
 * @example
 * ```ts
 * const stored: string = JSON.stringify(sketch); // calls toJSON
 * const again = DDSketch.fromJSON(JSON.parse(stored) as DDSketchJSON);
 * ```
 */
export interface DDSketchJSON {
  readonly version: 1;
  readonly relativeAccuracy: number;
  readonly maxBuckets: number;
  readonly count: number;
  readonly sum: number;
  /** Exact minimum; null when empty. */
  readonly min: number | null;
  /** Exact maximum; null when empty. */
  readonly max: number | null;
  readonly zeroCount: number;
  readonly positive: DDSketchBucketsJSON;
  /** Negative values, bucketed by |x|. */
  readonly negative: DDSketchBucketsJSON;
}

/**
 * A quantile sketch with relative-error guarantees (DDSketch, Masson et al. 2019).
 *
 * **Guarantee.** Let n values have been added (by {@link DDSketch.add} or merged) and x_q be the exact
 * *lower* q-quantile: the value of rank ⌊q(n − 1)⌋ (0-based) in ascending order — the paper's
 * definition, numpy's `method="lower"`. Then `quantile(q)` returns x̃ with |x̃ − x_q| ≤ α·|x_q| (up to
 * floating-point rounding, ~1e-13 relative): with the default α = 0.01, "p99 is within 1% relative
 * error of the exact lower p99". It holds for every q, for positive, negative and zero values (zero is
 * exact), after any sequence of adds and merges, as long as no collapsing happened (below). `quantile(0)`
 * and `quantile(1)` are the exact min and max, and every answer is clamped to [min, max].
 *
 * **Mapping.** γ = (1 + α)/(1 − α); a value x > 0 goes to bucket i = ⌈log_γ x⌉, which covers
 * (γ^(i−1), γ^i], and is read back as γ^i·(1 − α) = 2γ^i/(γ + 1), within α of every value of the bucket.
 * Negative values use a second store keyed by |x|; zero has its own count. Only finite values are taken.
 *
 * **Memory.** Each sign's store spans at most `maxBuckets` consecutive buckets (default 2048, 16 KiB; a
 * factor γ^2047 ≈ 6·10^17 at α = 0.01). When a store would span more, its lowest buckets are folded
 * into the lowest kept one (the paper's collapsing), so the guarantee then holds only for quantiles
 * whose true value is large enough: for positive x_q ≥ x_max / γ^(maxBuckets − 1) (x_max the largest
 * value). Smaller quantiles — the lowest ones — are overestimated (never below the exact min, by the
 * clamp). For negative values the mirror holds: the most negative values are folded toward zero. Latency
 * data spanning less than 17 orders of magnitude never collapses with the defaults; a smaller α needs
 * more buckets for the same span (at α = 0.001, 2048 buckets span only a factor ≈ 60).
 *
 * **Merging.** The state depends only on the multiset of values (collapsing included), so merging
 * sketches of the parts gives the sketch of the whole bucket for bucket; `count`, `min`, `max` are exact,
 * `sum` equal up to float rounding of the order of addition.
 *
 * Costs: `add` is one logarithm and a typed-array increment, allocation-free except when the bucket range
 * grows; `quantile` walks the buckets (≤ 2·maxBuckets).
 *
 * @example
 * ```ts
 * const hour = new DDSketch();
 * for (const ms of latencies) hour.add(ms);
 * hour.quantile(0.99); // within 1% of the exact lower p99
 * const day = DDSketch.fromJSON(storedDay).merge(hour);
 * save(JSON.stringify(day));
 * ```
 */
export class DDSketch {
  /** α, the relative accuracy. */
  readonly relativeAccuracy: number;
  /** Most buckets each sign's store spans. */
  readonly maxBuckets: number;
  /** γ = (1 + α)/(1 − α), the ratio between consecutive bucket bounds. */
  readonly gamma: number;
  private readonly logGamma: number;
  /** 1/ln γ: multiplying beats dividing on the hot path. */
  private readonly multiplier: number;
  private positive: DenseStore;
  /** Keyed by −⌈log_γ |x|⌉, so ascending keys are ascending values and "lowest" collapsing applies as is. */
  private negative: DenseStore;
  private zeros = 0;
  private total = 0;
  private totalSum = 0;
  private minimum = Number.POSITIVE_INFINITY;
  private maximum = Number.NEGATIVE_INFINITY;

  /**
   * @throws RangeError when α is not in (0, 1) or `maxBuckets` is not a positive integer
   */
  constructor(options: DDSketchOptions = {}) {
    const alpha = options.relativeAccuracy ?? DDSKETCH_DEFAULT_RELATIVE_ACCURACY;
    const maxBuckets = options.maxBuckets ?? DDSKETCH_DEFAULT_MAX_BUCKETS;
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`relativeAccuracy must be in (0, 1), got ${alpha}`);
    if (!(Number.isSafeInteger(maxBuckets) && maxBuckets >= 1)) {
      throw new RangeError(`maxBuckets must be a positive integer, got ${maxBuckets}`);
    }
    this.relativeAccuracy = alpha;
    this.maxBuckets = maxBuckets;
    this.gamma = (1 + alpha) / (1 - alpha);
    // log1p keeps ln γ accurate for tiny α, where γ − 1 would lose digits.
    this.logGamma = Math.log1p((2 * alpha) / (1 - alpha));
    this.multiplier = 1 / this.logGamma;
    this.positive = new DenseStore(maxBuckets);
    this.negative = new DenseStore(maxBuckets);
  }

  /** Values added (with multiplicity). */
  get count(): number {
    return this.total;
  }

  /** Sum of the values added (a plain float sum); 0 when empty. */
  get sum(): number {
    return this.totalSum;
  }

  /** Exact smallest value; NaN when empty. */
  get min(): number {
    return this.total === 0 ? Number.NaN : this.minimum;
  }

  /** Exact largest value; NaN when empty. */
  get max(): number {
    return this.total === 0 ? Number.NaN : this.maximum;
  }

  /** Buckets spanned by both stores: the sketch's memory, at most 2·maxBuckets (maxBuckets for one sign). */
  get bucketCount(): number {
    return this.positive.bucketCount + this.negative.bucketCount;
  }

  /**
   * Adds `value` `count` times.
   *
   * @param value - a finite number (0 and negatives included)
   * @param count - a positive integer, default 1
   * @throws RangeError for NaN, ±Infinity or a count that is not a positive integer
   */
  add(value: number, count = 1): void {
    if (count !== 1 && !(Number.isSafeInteger(count) && count > 0)) {
      throw new RangeError(`count must be a positive integer, got ${count}`);
    }
    let v = value;
    if (v > 0) {
      if (v === Number.POSITIVE_INFINITY)
        throw new RangeError("a DDSketch takes finite values, got Infinity");
      this.positive.add(Math.ceil(Math.log(v) * this.multiplier), count);
    } else if (v < 0) {
      if (v === Number.NEGATIVE_INFINITY)
        throw new RangeError("a DDSketch takes finite values, got -Infinity");
      this.negative.add(-Math.ceil(Math.log(-v) * this.multiplier), count);
    } else if (v === 0) {
      this.zeros += count;
      // −0 becomes +0, so min/max and the JSON form never carry a sign on zero.
      v = 0;
    } else {
      throw new RangeError("a DDSketch takes finite values, got NaN");
    }
    this.total += count;
    this.totalSum += v * count;
    if (v < this.minimum) this.minimum = v;
    if (v > this.maximum) this.maximum = v;
  }

  /**
   * Adds every value of `other` into this sketch (which is returned); `other` is unchanged. The result is
   * bucket for bucket the sketch of both inputs together; with different `maxBuckets`, this sketch's bound
   * applies, and the smaller bound's collapsing may already have happened in `other`.
   *
   * @throws RangeError when the relative accuracies differ
   */
  merge(other: DDSketch): this {
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      throw new RangeError(
        `cannot merge DDSketches of relative accuracy ${other.relativeAccuracy} and ${this.relativeAccuracy}`,
      );
    }
    if (other.total === 0) return this;
    const source = other === this ? other.clone() : other;
    this.positive.mergeFrom(source.positive);
    this.negative.mergeFrom(source.negative);
    this.zeros += source.zeros;
    this.total += source.total;
    this.totalSum += source.totalSum;
    if (source.minimum < this.minimum) this.minimum = source.minimum;
    if (source.maximum > this.maximum) this.maximum = source.maximum;
    return this;
  }

  /**
   * The q-quantile, within α of the exact lower quantile (rank ⌊q(n − 1)⌋); see the class guarantee.
   * NaN when the sketch is empty.
   *
   * @param q - in [0, 1]
   * @throws RangeError when q is outside [0, 1] or NaN
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
    if (this.total === 0) return Number.NaN;
    if (q === 0) return this.minimum;
    if (q === 1) return this.maximum;
    const rank = Math.floor(q * (this.total - 1));
    const estimate = this.valueAtRank(rank);
    // Clamping can only move the estimate toward x_q, which lies in [min, max].
    return Math.min(Math.max(estimate, this.minimum), this.maximum);
  }

  /** An independent copy. */
  clone(): DDSketch {
    const copy = new DDSketch({ relativeAccuracy: this.relativeAccuracy, maxBuckets: this.maxBuckets });
    copy.positive = this.positive.clone();
    copy.negative = this.negative.clone();
    copy.zeros = this.zeros;
    copy.total = this.total;
    copy.totalSum = this.totalSum;
    copy.minimum = this.minimum;
    copy.maximum = this.maximum;
    return copy;
  }

  /**
   * The canonical stored form ({@link DDSketchJSON}); `JSON.stringify(sketch)` uses it.
   *
   * @example
   * ```ts
   * const json = sketch.toJSON(); // { version: 1, relativeAccuracy: 0.01, ..., positive: { offset, counts } }
   * ```
   */
  toJSON(): DDSketchJSON {
    const empty = this.total === 0;
    const positive = this.positive.snapshot();
    // Stored keys are −index; the JSON lists negative buckets by ascending index of |x|.
    const negative = this.negative.snapshot().reverse();
    return {
      version: 1,
      relativeAccuracy: this.relativeAccuracy,
      maxBuckets: this.maxBuckets,
      count: this.total,
      sum: this.totalSum,
      min: empty ? null : this.minimum,
      max: empty ? null : this.maximum,
      zeroCount: this.zeros,
      // `+ 0` turns a −0 key (from ⌈−0.3⌉) into 0, which JSON would print as 0 anyway.
      positive: {
        offset: this.positive.isEmpty ? 0 : this.positive.minKey + 0,
        counts: Array.from(positive),
      },
      negative: {
        offset: this.negative.isEmpty ? 0 : -this.negative.maxKey + 0,
        counts: Array.from(negative),
      },
    };
  }

  /**
   * Rebuilds a sketch from {@link DDSketch.toJSON}'s form (after `JSON.parse`), validating it.
   *
   * @throws RangeError when `json` is not a valid version-1 DDSketch
   * @example
   * ```ts
   * const sketch = DDSketch.fromJSON(JSON.parse(text));
   * ```
   */
  static fromJSON(json: unknown): DDSketch {
    const fail = (why: string): never => {
      throw new RangeError(`invalid DDSketch JSON: ${why}`);
    };
    if (typeof json !== "object" || json === null) return fail("not an object");
    const o = json as Record<string, unknown>;
    if (o.version !== 1) return fail(`unsupported version ${String(o.version)}`);
    const alpha = o.relativeAccuracy;
    const maxBuckets = o.maxBuckets;
    if (typeof alpha !== "number" || typeof maxBuckets !== "number") {
      return fail("relativeAccuracy and maxBuckets must be numbers");
    }
    const sketch = new DDSketch({ relativeAccuracy: alpha, maxBuckets });
    const isCount = (c: unknown): c is number => Number.isSafeInteger(c) && (c as number) >= 0;
    const { count, sum, min, max, zeroCount } = o;
    if (!isCount(count) || !isCount(zeroCount))
      return fail("count and zeroCount must be non-negative integers");
    if (typeof sum !== "number" || !Number.isFinite(sum)) return fail("sum must be a finite number");
    const buckets = (name: string, value: unknown): { offset: number; counts: number[] } => {
      const b = value as { offset?: unknown; counts?: unknown } | null;
      if (
        typeof b !== "object" ||
        b === null ||
        !Number.isSafeInteger(b.offset) ||
        !Array.isArray(b.counts)
      ) {
        return fail(`${name} must be { offset: integer, counts: array }`);
      }
      const counts = b.counts as unknown[];
      if (counts.length > maxBuckets) return fail(`${name} spans more than maxBuckets`);
      if (!counts.every(isCount)) return fail(`${name} counts must be non-negative integers`);
      return { offset: b.offset as number, counts: counts as number[] };
    };
    const positive = buckets("positive", o.positive);
    const negative = buckets("negative", o.negative);
    let bucketed = zeroCount;
    positive.counts.forEach((c, j) => {
      if (c > 0) sketch.positive.add(positive.offset + j, c);
      bucketed += c;
    });
    negative.counts.forEach((c, j) => {
      if (c > 0) sketch.negative.add(-(negative.offset + j), c);
      bucketed += c;
    });
    if (bucketed !== count) return fail(`count ${count} is not the sum of the bucket counts ${bucketed}`);
    if (count > 0) {
      if (
        typeof min !== "number" ||
        typeof max !== "number" ||
        !Number.isFinite(min) ||
        !Number.isFinite(max) ||
        !(min <= max)
      ) {
        return fail("min and max must be finite numbers with min <= max");
      }
      sketch.minimum = min;
      sketch.maximum = max;
    } else if (min !== null || max !== null) {
      return fail("an empty sketch has null min and max");
    }
    sketch.zeros = zeroCount;
    sketch.total = count;
    sketch.totalSum = sum;
    return sketch;
  }

  /** The representative value of the bucket holding the value of 0-based `rank` (< count). */
  private valueAtRank(rank: number): number {
    // Walk buckets in ascending value order: negatives (most negative first), zero, positives.
    let seen = 0;
    const neg = this.negative;
    if (!neg.isEmpty) {
      for (let k = neg.minKey; k <= neg.maxKey; k++) {
        seen += neg.countAt(k);
        if (seen > rank) return -this.bucketValue(-k);
      }
    }
    seen += this.zeros;
    if (seen > rank) return 0;
    const pos = this.positive;
    for (let k = pos.minKey; k <= pos.maxKey; k++) {
      seen += pos.countAt(k);
      if (seen > rank) return this.bucketValue(k);
    }
    return this.maximum;
  }

  /** The representative of positive bucket i: γ^i·(1 − α), within α of all of (γ^(i−1), γ^i]. */
  private bucketValue(index: number): number {
    return Math.exp(index * this.logGamma) * (1 - this.relativeAccuracy);
  }
}

/**
 * The bucket counts behind a {@link DDSketch}: a dense run of counts indexed by integer keys, held in one
 * growable Float64Array with an offset, capped at `maxBuckets` keys by folding the lowest keys into the
 * lowest kept one (the paper's "collapsing lowest" store).
 */

/** First allocation, in buckets: at α = 0.01 that spans a factor γ^64 ≈ 3.6 before the first growth. */
const INITIAL_CAPACITY = 64;

/**
 * Counts per integer key over a contiguous key range of at most `maxBuckets` keys.
 *
 * Invariants: when non-empty, `lo` and `hi` are the lowest and highest keys with a non-zero count,
 * `hi − lo < maxBuckets`, `[lo, hi]` lies inside `[offset, offset + counts.length)`, and every slot
 * outside `[lo, hi]` is 0. When the range would exceed `maxBuckets`, every key below `hi − maxBuckets + 1`
 * is counted at `hi − maxBuckets + 1` instead. The resulting state depends only on the multiset of keys
 * added, not their order (the fold point only ever rises, and mass already folded sits below it), which
 * is why merging stores of parts gives exactly the store of the whole.
 *
 * @example
 * ```ts
 * const store = new DenseStore(2);
 * store.add(5, 1);
 * store.add(7, 1); // range 5..7 exceeds 2 buckets: key 5 is folded into key 6
 * store.countAt(6); // 1
 * ```
 */
export class DenseStore {
  /** The most keys the store spans. */
  readonly maxBuckets: number;
  private counts: Float64Array = new Float64Array(0);
  /** The key counted at `counts[0]`. */
  private offset = 0;
  // Empty is lo > hi; with lo = 1 and hi = 0 every key misses the range, so `add` needs no empty check.
  private lo = 1;
  private hi = 0;

  /**
   * @param maxBuckets - a positive integer; validated by the caller
   */
  constructor(maxBuckets: number) {
    this.maxBuckets = maxBuckets;
  }

  /** True when nothing has been counted. */
  get isEmpty(): boolean {
    return this.hi < this.lo;
  }

  /** The lowest non-empty key (meaningless when empty). */
  get minKey(): number {
    return this.lo;
  }

  /** The highest non-empty key (meaningless when empty). */
  get maxKey(): number {
    return this.hi;
  }

  /** Keys spanned, lowest to highest non-empty key inclusive: the store's memory in buckets. */
  get bucketCount(): number {
    return this.hi < this.lo ? 0 : this.hi - this.lo + 1;
  }

  /** The count at `key`; 0 outside the range. */
  countAt(key: number): number {
    return key < this.lo || key > this.hi ? 0 : this.counts[key - this.offset]!;
  }

  /**
   * Adds `count` (> 0) at `key`, or at the fold point when `key` falls below the kept range.
   * Allocation-free unless the range grows.
   */
  add(key: number, count: number): void {
    const k = key < this.lo || key > this.hi ? this.extend(key) : key;
    this.counts[k - this.offset]! += count;
  }

  /** Adds every count of `other` (keys in the same mapping). */
  mergeFrom(other: DenseStore): void {
    // Highest first: the final fold point is set by the first add, so each lower bucket lands once.
    for (let k = other.hi; k >= other.lo; k--) {
      const c = other.counts[k - other.offset]!;
      if (c > 0) this.add(k, c);
    }
  }

  /** A copy of the counts from `minKey` to `maxKey` (empty when the store is). */
  snapshot(): Float64Array {
    return this.hi < this.lo
      ? new Float64Array(0)
      : this.counts.slice(this.lo - this.offset, this.hi - this.offset + 1);
  }

  /** An independent copy. */
  clone(): DenseStore {
    const copy = new DenseStore(this.maxBuckets);
    copy.counts = this.counts.slice();
    copy.offset = this.offset;
    copy.lo = this.lo;
    copy.hi = this.hi;
    return copy;
  }

  /** Widens the range to take `key`, folding if it would exceed `maxBuckets`; returns the key to count at. */
  private extend(key: number): number {
    if (this.hi < this.lo) {
      if (this.counts.length === 0)
        this.counts = new Float64Array(Math.min(INITIAL_CAPACITY, this.maxBuckets));
      // Centre the first key so growth in either direction is equally cheap.
      this.offset = key - (this.counts.length >> 1);
      this.lo = key;
      this.hi = key;
      return key;
    }
    const hi = Math.max(key, this.hi);
    const lo = Math.max(Math.min(key, this.lo), hi - this.maxBuckets + 1);
    this.reshape(lo, hi);
    return Math.max(key, lo);
  }

  /**
   * Makes `[lo, hi]` the range (`hi ≥ this.hi`, `lo ≤ hi`), folding counts of keys below `lo` into `lo`
   * and moving or growing the array when the range leaves it.
   */
  private reshape(lo: number, hi: number): void {
    let counts = this.counts;
    let folded = 0;
    if (lo > this.lo) {
      const end = Math.min(lo - 1, this.hi);
      for (let k = this.lo; k <= end; k++) {
        const i = k - this.offset;
        folded += counts[i]!;
        counts[i] = 0;
      }
    }
    const capacity = counts.length;
    if (lo < this.offset || hi >= this.offset + capacity) {
      const span = hi - lo + 1;
      let size = capacity;
      while (size < span) size *= 2;
      size = Math.min(size, this.maxBuckets);
      // Leave equal slack on both sides: ranges grow at either end.
      const offset = lo - ((size - span) >> 1);
      // Keys that keep their own bucket (those below `lo` were just folded and zeroed).
      const from = Math.max(this.lo, lo);
      const to = this.hi;
      if (size === capacity) {
        if (from <= to) {
          counts.copyWithin(from - offset, from - this.offset, to - this.offset + 1);
          counts.fill(0, 0, from - offset);
          counts.fill(0, to - offset + 1);
        } else {
          counts.fill(0);
        }
      } else {
        const next = new Float64Array(size);
        if (from <= to) next.set(counts.subarray(from - this.offset, to - this.offset + 1), from - offset);
        counts = next;
        this.counts = next;
      }
      this.offset = offset;
    }
    this.lo = lo;
    this.hi = hi;
    if (folded > 0) counts[lo - this.offset]! += folded;
  }
}

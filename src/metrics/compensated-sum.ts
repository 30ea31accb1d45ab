/**
 * A running sum with Neumaier's compensation: the rounding error of every addition is kept in a second
 * term, so the total is nearly exact whatever the order of additions and merges. Window accumulators add
 * values one by one and merge in arbitrary orders; scikit-learn sums with numpy's pairwise summation.
 * Near-exact sums keep the two within a few units in the last place, not n of them.
 *
 * @example
 * ```ts
 * const s = new CompensatedSum();
 * for (const x of [1e16, 1, -1e16]) s.add(x);
 * s.value(); // 1 (a plain sum gives 0)
 * ```
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  /** Adds one value. */
  add(x: number): void {
    const t = this.sum + x;
    // Whichever operand is smaller in magnitude lost its low bits in t; recover them.
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += this.sum - t + x;
    else this.compensation += x - t + this.sum;
    this.sum = t;
  }

  /** Adds another sum (both of its parts), as merging two windows does. */
  merge(other: CompensatedSum): void {
    this.add(other.sum);
    this.add(other.compensation);
  }

  /** The sum. */
  value(): number {
    return this.sum + this.compensation;
  }

  /** `[sum, compensation]`, exact in JSON (`-0` written as `0`). */
  toJSON(): [number, number] {
    return [this.sum + 0, this.compensation + 0];
  }

  /** Rebuilds a sum from {@link CompensatedSum.toJSON}'s pair. */
  static fromJSON(pair: readonly [number, number]): CompensatedSum {
    const s = new CompensatedSum();
    s.sum = pair[0];
    s.compensation = pair[1];
    return s;
  }
}

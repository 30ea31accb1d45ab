/**
 * A bounded uniform sample of numeric rows (reservoir sampling), mergeable across windows: the
 * per-window feature sample of the monitoring server, from which drift tests read whole columns.
 */

import { float64FromBase64, float64ToBase64 } from "./float64-base64.js";

/**
 * Default number of rows a {@link Reservoir} keeps.
 *
 * @example
 * ```ts
 * new Reservoir({ columns: 3, random }).capacity === RESERVOIR_DEFAULT_CAPACITY; // true
 * ```
 */
export const RESERVOIR_DEFAULT_CAPACITY = 10_000;

/** Rows allocated at first; the buffer doubles up to `capacity`, so small windows stay small. */
const INITIAL_ROWS = 64;

/**
 * Options of {@link Reservoir}.
 *
 * @example
 * ```ts
 * const options: ReservoirOptions = { columns: 4, capacity: 5000, random: seededRandom(7).uniform };
 * ```
 */
export interface ReservoirOptions {
  /** Values per row (a positive integer). */
  readonly columns: number;
  /** Most rows kept (a positive integer). Default 10,000. */
  readonly capacity?: number;
  /** Uniform numbers in [0, 1): the only source of randomness, so runs are reproducible. */
  readonly random: () => number;
}

/**
 * The stored form of a {@link Reservoir} (version 1). `values` is base64 of the kept rows' values,
 * row-major, as little-endian float64 (so NaN survives, which JSON numbers cannot carry).
 *
 * @example
 * ```ts
 * const json: ReservoirJSON = { version: 1, capacity: 2, columns: 1, seen: 1, rows: 1, values: "AAAAAAAA8D8=" };
 * ```
 */
export interface ReservoirJSON {
  readonly version: 1;
  readonly capacity: number;
  readonly columns: number;
  /** Rows offered so far (kept or not). */
  readonly seen: number;
  /** Rows kept: min(capacity, seen). */
  readonly rows: number;
  readonly values: string;
}

/**
 * A uniform random sample, without replacement, of up to `capacity` rows of `columns` numbers from a
 * stream of rows, with the count of rows `seen`.
 *
 * **Guarantee.** After `seen` rows (added or merged in), the reservoir holds min(capacity, seen) of them,
 * and every subset of that size is equally likely; in particular each row is kept with probability
 * min(1, capacity/seen). While `seen ≤ capacity` it is exact: every row, in arrival order. Uniformity is
 * exact given a uniform `random`; the sample is a function of the seed and the order of operations.
 *
 * **Adding** is Vitter's Algorithm R: the t-th row (t > capacity) replaces slot ⌊u·t⌋ when that is below
 * `capacity` (probability capacity/t), else is dropped — one random number per row, no allocation. Use
 * {@link Reservoir.offer} to learn whether a row is kept before building it.
 *
 * **Merging** reservoirs that saw s1 and s2 rows keeps m = min(capacity, s1 + s2) rows: the number X taken
 * from the first is drawn from the hypergeometric distribution of a uniform m-subset of the s1 + s2 rows
 * (m sequential draws, the i-th from the first with probability remaining-s1 / remaining-total), then X
 * rows uniformly from the first reservoir's sample and m − X from the second's (partial Fisher–Yates). A
 * uniform subset of a uniform sample is a uniform subset of the stream, so the result is a uniform
 * m-sample of the union, as if one reservoir had seen both streams. Both must have the same capacity and
 * columns.
 *
 * **Columns** are Float64. Store categorical values as numeric codes (e.g. Int32 dictionary codes; exact
 * up to 2^53) and keep the dictionary beside the reservoir; store missing values as NaN — they are kept
 * as NaN through adding, merging and serialising. Row order carries no meaning beyond the exact phase.
 *
 * @example
 * ```ts
 * const sample = new Reservoir({ columns: 2, random: seededRandom(1).uniform });
 * for (const event of events) sample.add([event.age, event.countryCode]);
 * const ages = sample.column(0); // Float64Array of the kept ages, for a drift test
 * sample.merge(otherWindow);
 * ```
 */
export class Reservoir {
  /** Most rows kept. */
  readonly capacity: number;
  /** Values per row. */
  readonly columns: number;
  private readonly random: () => number;
  /** Kept rows, row-major: row r, column c at `r * columns + c`. */
  private values: Float64Array;
  private rows = 0;
  private seenRows = 0;

  /**
   * @throws RangeError when `columns` or `capacity` is not a positive integer
   */
  constructor(options: ReservoirOptions) {
    const capacity = options.capacity ?? RESERVOIR_DEFAULT_CAPACITY;
    if (!(Number.isSafeInteger(options.columns) && options.columns >= 1)) {
      throw new RangeError(`columns must be a positive integer, got ${options.columns}`);
    }
    if (!(Number.isSafeInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.columns = options.columns;
    this.random = options.random;
    this.values = new Float64Array(0);
  }

  /** Rows kept: min(capacity, seen). */
  get size(): number {
    return this.rows;
  }

  /** Rows offered so far, kept or not (merges add the other's count). */
  get seen(): number {
    return this.seenRows;
  }

  /**
   * Counts one more row and decides whether it is kept: returns the slot (0 ≤ slot < size) its values
   * must be written to with {@link Reservoir.set}, or −1 when it is dropped. The slot is filled with NaN
   * first, so a column left unwritten reads as missing rather than as the replaced row's value. The slot
   * also lets a caller keep side data (ids, strings) in its own array of `capacity` entries.
   *
   * @example
   * ```ts
   * const slot = sample.offer();
   * if (slot >= 0) sample.set(slot, 0, Number(event.age));
   * ```
   */
  offer(): number {
    const slot = this.admit();
    if (slot >= 0) this.values.fill(Number.NaN, slot * this.columns, (slot + 1) * this.columns);
    return slot;
  }

  /**
   * Offers `row` (`columns` numbers; NaN for missing) and keeps it if the sampler admits it.
   *
   * @returns the slot it was written to, or −1 when dropped
   * @throws RangeError when `row.length !== columns`
   */
  add(row: ArrayLike<number>): number {
    const k = this.columns;
    if (row.length !== k) throw new RangeError(`a row has ${k} values, got ${row.length}`);
    const slot = this.admit();
    if (slot >= 0) {
      const base = slot * k;
      for (let c = 0; c < k; c++) this.values[base + c] = row[c]!;
    }
    return slot;
  }

  /**
   * Writes one value of a kept row.
   *
   * @throws RangeError when `slot` or `column` is out of range
   */
  set(slot: number, column: number, value: number): void {
    this.values[this.position(slot, column)] = value;
  }

  /**
   * One value of a kept row.
   *
   * @throws RangeError when `slot` or `column` is out of range
   */
  get(slot: number, column: number): number {
    return this.values[this.position(slot, column)]!;
  }

  /**
   * A fresh Float64Array of column `column` over the kept rows (NaN where missing).
   *
   * @throws RangeError when `column` is out of range
   */
  column(column: number): Float64Array {
    if (!(Number.isInteger(column) && column >= 0 && column < this.columns)) {
      throw new RangeError(`column ${column} is not in [0, ${this.columns})`);
    }
    const out = new Float64Array(this.rows);
    const k = this.columns;
    for (let r = 0; r < out.length; r++) out[r] = this.values[r * k + column]!;
    return out;
  }

  /**
   * Keeps a uniform sample of the union of both reservoirs' streams (see the class documentation for the
   * method) in this reservoir, which is returned; `other` is unchanged. Uses this reservoir's `random`.
   *
   * @throws RangeError when capacities or column counts differ
   */
  merge(other: Reservoir): this {
    if (other.capacity !== this.capacity || other.columns !== this.columns) {
      throw new RangeError(
        `cannot merge reservoirs of ${other.capacity}×${other.columns} and ${this.capacity}×${this.columns}`,
      );
    }
    if (other.seenRows === 0) return this;
    const source = other === this ? other.clone() : other;
    const s1 = this.seenRows;
    const s2 = source.seenRows;
    const total = s1 + s2;
    const m = Math.min(this.capacity, total);
    let fromThis = s1;
    if (total > this.capacity) {
      // Hypergeometric draw by sequential sampling without replacement: exact, m ≤ capacity steps.
      fromThis = 0;
      let leftThis = s1;
      let left = total;
      for (let i = 0; i < m; i++) {
        if (this.random() * left < leftThis) {
          fromThis++;
          leftThis--;
        }
        left--;
      }
    }
    const k = this.columns;
    const merged = new Float64Array(this.allocationFor(m) * k);
    let at = this.copyRandomRows(this, fromThis, merged, 0);
    at = this.copyRandomRows(source, m - fromThis, merged, at);
    this.values = merged;
    this.rows = m;
    this.seenRows = total;
    return this;
  }

  /** An independent copy sharing the same `random`. */
  clone(): Reservoir {
    const copy = new Reservoir({ columns: this.columns, capacity: this.capacity, random: this.random });
    copy.values = this.values.slice();
    copy.rows = this.rows;
    copy.seenRows = this.seenRows;
    return copy;
  }

  /**
   * The stored form ({@link ReservoirJSON}); `JSON.stringify(reservoir)` uses it.
   *
   * @example
   * ```ts
   * const text = JSON.stringify(sample); // {"version":1,"capacity":10000,...,"values":"..."}
   * ```
   */
  toJSON(): ReservoirJSON {
    return {
      version: 1,
      capacity: this.capacity,
      columns: this.columns,
      seen: this.seenRows,
      rows: this.rows,
      values: float64ToBase64(this.values.subarray(0, this.rows * this.columns)),
    };
  }

  /**
   * Rebuilds a reservoir from {@link Reservoir.toJSON}'s form (after `JSON.parse`), validating it;
   * `random` drives its later adds and merges.
   *
   * @throws RangeError when `json` is not a valid version-1 reservoir
   * @example
   * ```ts
   * const sample = Reservoir.fromJSON(JSON.parse(text), seededRandom(2).uniform);
   * ```
   */
  static fromJSON(json: unknown, random: () => number): Reservoir {
    const fail = (why: string): never => {
      throw new RangeError(`invalid Reservoir JSON: ${why}`);
    };
    if (typeof json !== "object" || json === null) return fail("not an object");
    const o = json as Record<string, unknown>;
    if (o.version !== 1) return fail(`unsupported version ${String(o.version)}`);
    const { capacity, columns, seen, rows, values } = o;
    if (typeof capacity !== "number" || typeof columns !== "number") {
      return fail("capacity and columns must be numbers");
    }
    const reservoir = new Reservoir({ columns, capacity, random });
    if (!(Number.isSafeInteger(seen) && (seen as number) >= 0))
      return fail("seen must be a non-negative integer");
    if (rows !== Math.min(capacity, seen as number)) return fail("rows must be min(capacity, seen)");
    if (typeof values !== "string") return fail("values must be a base64 string");
    const decoded = float64FromBase64(values);
    if (decoded.length !== rows * columns)
      return fail(`values hold ${decoded.length} numbers, not rows × columns`);
    reservoir.values = new Float64Array(reservoir.allocationFor(rows) * columns);
    reservoir.values.set(decoded);
    reservoir.rows = rows;
    reservoir.seenRows = seen as number;
    return reservoir;
  }

  /** Algorithm R's decision for the next row: its slot, growing the buffer while filling; or −1. */
  private admit(): number {
    const t = ++this.seenRows;
    if (this.rows < this.capacity) {
      const slot = this.rows++;
      if (this.rows * this.columns > this.values.length) this.grow();
      return slot;
    }
    const j = Math.floor(this.random() * t);
    return j < this.capacity ? j : -1;
  }

  private grow(): void {
    const next = new Float64Array(this.allocationFor(this.rows) * this.columns);
    next.set(this.values);
    this.values = next;
  }

  /** Rows to allocate to hold `rows`: a power-of-two multiple of INITIAL_ROWS, at most capacity. */
  private allocationFor(rows: number): number {
    let n = Math.min(INITIAL_ROWS, this.capacity);
    while (n < rows) n *= 2;
    return Math.min(n, this.capacity);
  }

  /** Copies `count` of `from`'s rows, chosen uniformly, to `into` from row `at`; returns the next row. */
  private copyRandomRows(from: Reservoir, count: number, into: Float64Array, at: number): number {
    const k = this.columns;
    const n = from.rows;
    if (count === n) {
      // All of them: keep their order (this is what keeps the exact phase in arrival order).
      into.set(from.values.subarray(0, n * k), at * k);
      return at + n;
    }
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(this.random() * (n - i));
      const picked = order[j]!;
      order[j] = order[i]!;
      order[i] = picked;
      into.set(from.values.subarray(picked * k, (picked + 1) * k), (at + i) * k);
    }
    return at + count;
  }

  private position(slot: number, column: number): number {
    if (!(Number.isInteger(slot) && slot >= 0 && slot < this.rows)) {
      throw new RangeError(`slot ${slot} is not in [0, ${this.rows})`);
    }
    if (!(Number.isInteger(column) && column >= 0 && column < this.columns)) {
      throw new RangeError(`column ${column} is not in [0, ${this.columns})`);
    }
    return slot * this.columns + column;
  }
}

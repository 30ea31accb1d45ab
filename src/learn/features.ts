/**
 * Feature encoding for the online linear models: numeric columns (standardised online by the model),
 * one-hot categorical columns whose vocabulary grows as values appear, and hashed categorical
 * columns (a fixed number of buckets, for open-ended domains). An encoded sample is the raw numeric
 * values (NaN = missing) and, per categorical column, the model coordinate of its active indicator
 * (−1 = missing or, when predicting, a value never learned).
 *
 * Coordinates: 0 is the bias, 1…p the numeric columns, then `hashBuckets` coordinates shared by the
 * hashed columns (when any), then one coordinate per one-hot (column, value) in order of first
 * appearance.
 */

/**
 * Which columns feed the model and how.
 *
 * @example
 * ```ts
 * const spec: FeatureSpec = { numeric: ["age"], categorical: ["sex"], hashed: ["country"], hashBuckets: 64 };
 * ```
 */
export interface FeatureSpec {
  readonly numeric: readonly string[];
  /** One-hot columns: one coordinate per distinct value, added when the model first learns it. */
  readonly categorical: readonly string[];
  /** Hashed columns: FNV-1a of `column \0 value` modulo `hashBuckets`. */
  readonly hashed?: readonly string[];
  /** Buckets shared by the hashed columns (default 1024 when `hashed` is non-empty). */
  readonly hashBuckets?: number;
}

/** A cell of a row given as an object: a number, a text, or missing. */
export type Cell = number | string | boolean | null | undefined;

/** A row given as an object, column name → cell. */
export type Row = Readonly<Record<string, Cell>>;

/** FNV-1a, 32 bits: small, stable across runs and platforms (the coordinate must not change on reload). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The encoder's state: the spec and the one-hot vocabulary (column, value) in coordinate order.
 *
 * @example
 * ```ts
 * const json: EncoderJson = { spec: { numeric: ["x"], categorical: ["c"] }, vocabulary: [["c", "a"]] };
 * ```
 */
export interface EncoderJson {
  readonly spec: FeatureSpec;
  readonly vocabulary: ReadonlyArray<readonly [string, string]>;
}

/**
 * Turns rows into encoded samples and keeps the one-hot vocabulary. Part of a model's state.
 *
 * @example
 * ```ts
 * const encoder = new FeatureEncoder({ numeric: ["age"], categorical: ["sex"] });
 * const numeric = new Float64Array(1);
 * const slots = new Int32Array(1);
 * encoder.encode({ age: 40, sex: "Male" }, numeric, 0, slots, 0, true); // slots[0] === 2
 * ```
 */
export class FeatureEncoder {
  readonly spec: FeatureSpec;
  readonly numericCount: number;
  /** Categorical columns in slot order: the hashed ones, then the one-hot ones. */
  readonly slotColumns: readonly string[];
  readonly hashBuckets: number;
  private readonly vocabularies = new Map<string, Map<string, number>>();
  private readonly order: Array<readonly [string, string]> = [];

  constructor(spec: FeatureSpec) {
    const hashed = spec.hashed ?? [];
    this.spec = {
      numeric: [...spec.numeric],
      categorical: [...spec.categorical],
      ...(hashed.length > 0 ? { hashed: [...hashed], hashBuckets: spec.hashBuckets ?? 1024 } : {}),
    };
    this.numericCount = spec.numeric.length;
    this.hashBuckets = hashed.length > 0 ? (spec.hashBuckets ?? 1024) : 0;
    this.slotColumns = [...hashed, ...spec.categorical];
    for (const column of spec.categorical) this.vocabularies.set(column, new Map());
  }

  /** Coordinates in use: bias, numeric, hash buckets and the one-hot values seen so far. */
  get coordinates(): number {
    return this.firstOneHot + this.order.length;
  }

  /** The first one-hot coordinate. */
  get firstOneHot(): number {
    return 1 + this.numericCount + this.hashBuckets;
  }

  /** Number of slots (categorical columns) per encoded sample. */
  get slotCount(): number {
    return this.slotColumns.length;
  }

  /**
   * The coordinate of `column = value`, adding a one-hot coordinate when `grow` is true and the
   * value is new; −1 for a missing value or a value unknown when not growing.
   */
  slot(column: string, value: Cell, grow: boolean): number {
    if (value === null || value === undefined || value === "") return -1;
    const text = String(value);
    const vocabulary = this.vocabularies.get(column);
    if (vocabulary === undefined) {
      return 1 + this.numericCount + (fnv1a(`${column}\u0000${text}`) % this.hashBuckets);
    }
    const known = vocabulary.get(text);
    if (known !== undefined) return known;
    if (!grow) return -1;
    const coordinate = this.firstOneHot + this.order.length;
    vocabulary.set(text, coordinate);
    this.order.push([column, text]);
    return coordinate;
  }

  /**
   * Encodes `row` into `numeric[numericOffset…]` (NaN for missing or non-numeric cells) and
   * `slots[slotOffset…]`.
   */
  encode(
    row: Row,
    numeric: Float64Array,
    numericOffset: number,
    slots: Int32Array,
    slotOffset: number,
    grow: boolean,
  ): void {
    const names = this.spec.numeric;
    for (let j = 0; j < names.length; j++) {
      const value = row[names[j]!];
      numeric[numericOffset + j] = typeof value === "number" ? value : Number.NaN;
    }
    const columns = this.slotColumns;
    for (let c = 0; c < columns.length; c++)
      slots[slotOffset + c] = this.slot(columns[c]!, row[columns[c]!], grow);
  }

  /** The (column, value) of each one-hot coordinate, in coordinate order (from {@link firstOneHot}). */
  vocabulary(): ReadonlyArray<readonly [string, string]> {
    return this.order;
  }

  /** A readable name per coordinate: `(bias)`, the numeric column, `col#bucket`, `col=value`. */
  coordinateNames(): string[] {
    const names = ["(bias)", ...this.spec.numeric];
    for (let b = 0; b < this.hashBuckets; b++) names.push(`#${b}`);
    for (const [column, value] of this.order) names.push(`${column}=${value}`);
    return names;
  }

  toJSON(): EncoderJson {
    return { spec: this.spec, vocabulary: this.order.map(([c, v]) => [c, v] as const) };
  }

  static fromJSON(json: EncoderJson): FeatureEncoder {
    const encoder = new FeatureEncoder(json.spec);
    for (const [column, value] of json.vocabulary) encoder.slot(column, value, true);
    return encoder;
  }
}

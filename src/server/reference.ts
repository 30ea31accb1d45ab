import { parseTable } from "../data/index.js";
import type { CategoricalSample, ColumnProfile, InputColumn } from "../drift/index.js";
import { numericProfile, numericSample } from "../drift/index.js";
import { TikTokToeError } from "../errors/index.js";
import { type IsotonicJson, IsotonicRegression } from "../metrics/index.js";
import {
  buildReferenceProfile,
  type ReferenceColumn,
  type ReferenceProfile,
  type WindowModel,
} from "../monitor/index.js";
import type { ModelRecord } from "../store/index.js";

/** The column of a reference upload holding the model's predictions, and the one holding the truth. */
export const REFERENCE_PREDICTION = "prediction";
export const REFERENCE_TARGET = "target";
/** The optional column of a binary model's reference with the positive class's score (CBPE calibration). */
export const REFERENCE_SCORE = "score";

/**
 * The window model of a registered model: which columns are sampled, which counted.
 *
 * @example
 * ```ts
 * windowModelOf(record, 10_000);
 * ```
 */
export function windowModelOf(model: ModelRecord, sampleCapacity?: number): WindowModel {
  return {
    task: model.task,
    ...(model.classes === undefined ? {} : { classes: model.classes }),
    numeric: model.features.filter((f) => f.type === "numeric" && f.role === "feature").map((f) => f.name),
    categorical: model.features
      .filter((f) => f.type === "categorical" && f.role === "feature")
      .map((f) => f.name),
    ...(sampleCapacity === undefined ? {} : { sampleCapacity }),
    sensitive: model.features.filter((f) => f.role === "sensitive").map((f) => f.name),
    untested: model.features.filter((f) => f.role === "feature" && f.drift === false).map((f) => f.name),
  };
}

/**
 * Parses a reference upload (CSV or NDJSON, typed by the model's schema) into its profile. Every
 * schema feature must be present; `prediction` and `target` columns are used when present.
 *
 * @example
 * ```ts
 * const profile = parseReference(model, bytes, "text/csv");
 * ```
 */
export function parseReference(model: ModelRecord, bytes: Uint8Array, mediaType: string): ReferenceProfile {
  const { columns, prediction, target } = parseReferenceColumns(model, bytes, mediaType);
  return buildReferenceProfile(windowModelOf(model), columns, prediction, target);
}

/** The columns of a reference upload, typed by the model's schema (see {@link parseReference}). */
export interface ReferenceColumns {
  readonly columns: Record<string, ReferenceColumn>;
  readonly prediction: ReferenceColumn | null;
  readonly target: ReferenceColumn | null;
  /** A binary model's positive-class scores (the `score` column), when uploaded. */
  readonly score: Float64Array | null;
  readonly rows: number;
}

/**
 * Parses a reference upload into typed columns, before any profile is built — so the caller can
 * fill in missing predictions (from the version's ONNX model) first.
 *
 * @example
 * ```ts
 * const { columns, prediction } = parseReferenceColumns(model, bytes, "text/csv");
 * ```
 */
export function parseReferenceColumns(
  model: ModelRecord,
  bytes: Uint8Array,
  mediaType: string,
): ReferenceColumns {
  const format =
    mediaType === "text/csv" ? "csv" : mediaType === "application/x-ndjson" ? "ndjson" : undefined;
  if (format === undefined)
    throw new TikTokToeError("UNSUPPORTED_MEDIA_TYPE", `a reference is CSV or NDJSON, not "${mediaType}"`, {
      hint: "send Content-Type: text/csv or application/x-ndjson",
    });
  const window = windowModelOf(model);
  const categorical = new Set(window.categorical);
  const isClassifier = model.task !== "regression";
  if (isClassifier) {
    categorical.add(REFERENCE_PREDICTION);
    categorical.add(REFERENCE_TARGET);
  }
  // `prediction` and `target` are optional: read as text when present (class labels).
  const optional = new Set([REFERENCE_PREDICTION, REFERENCE_TARGET].filter((c) => categorical.delete(c)));
  const table = parseTable(bytes, {
    name: `reference.${format}`,
    format,
    text: categorical,
    textIfPresent: optional,
  });
  const missing = [...window.numeric, ...window.categorical].filter((c) => !table.columns.has(c));
  if (missing.length > 0)
    throw new TikTokToeError("REQUEST_INVALID", `the reference lacks schema columns: ${missing.join(", ")}`, {
      path: missing[0]!,
      hint: "upload a reference with every feature of the model's schema",
    });
  const raw = (name: string): ReferenceColumn | null => {
    const column = table.columns.get(name);
    if (column === undefined) return null;
    return column.kind === "numeric" ? column.values : textColumn(column);
  };
  // Without a prototype, a column named `__proto__` or `constructor` is a key like any other.
  const columns: Record<string, ReferenceColumn> = Object.create(null);
  for (const name of [...window.numeric, ...window.categorical]) {
    const values = raw(name);
    if (values !== null) columns[name] = values;
  }
  for (const name of window.numeric)
    if (!(columns[name] instanceof Float64Array))
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `column "${name}" is numeric in the schema but holds text`,
        { path: name },
      );
  const numericOrText = (name: string) => {
    const values = raw(name);
    if (values === null) return null;
    if (isClassifier)
      return values instanceof Float64Array
        ? Array.from(values, (v) => (Number.isNaN(v) ? null : String(v)))
        : values;
    if (!(values instanceof Float64Array))
      throw new TikTokToeError("REQUEST_INVALID", `column "${name}" of a regression model must be numeric`, {
        path: name,
      });
    return values;
  };
  return {
    columns,
    prediction: numericOrText(REFERENCE_PREDICTION),
    target: numericOrText(REFERENCE_TARGET),
    score: (() => {
      const values = model.task === "binary" ? raw(REFERENCE_SCORE) : null;
      if (values === null) return null;
      if (!(values instanceof Float64Array))
        throw new TikTokToeError("REQUEST_INVALID", `column "${REFERENCE_SCORE}" must hold numbers`, {
          path: REFERENCE_SCORE,
          hint: "the positive class's score of each row, or leave the column out",
        });
      return values;
    })(),
    rows: table.rowCount,
  };
}

function textColumn(column: Extract<InputColumn, { kind: "text" }>): Array<string | null> {
  return Array.from(column.codes, (code) => (code < 0 ? null : column.categories[code]!));
}

type StoredColumn =
  | { readonly type: "numeric"; readonly sorted: string; readonly missing: number }
  | { readonly type: "categorical"; readonly counts: Array<[string, number]>; readonly missing: number };

/**
 * A reference profile as bytes for the store (sorted values as base64 float64; counts as pairs).
 *
 * @example
 * ```ts
 * await store.putArtifact(model, version, "reference-profile", encodeReference(profile));
 * ```
 */
export function encodeReference(
  profile: ReferenceProfile,
  calibrator: IsotonicJson | null = null,
): Uint8Array {
  const column = (p: ColumnProfile): StoredColumn =>
    p.type === "numeric"
      ? {
          type: "numeric",
          sorted: Buffer.from(p.sorted.buffer, p.sorted.byteOffset, p.sorted.byteLength).toString("base64"),
          missing: p.missing,
        }
      : { type: "categorical", counts: [...p.counts], missing: p.missing };
  return Buffer.from(
    JSON.stringify({
      version: 1,
      columns: Object.fromEntries([...profile.columns].map(([name, p]) => [name, column(p)])),
      prediction: profile.prediction === null ? null : column(profile.prediction),
      target: profile.target === null ? null : column(profile.target),
      ...(calibrator === null ? {} : { calibrator }),
    }),
  );
}

/**
 * The CBPE score calibrator stored with a reference profile (see {@link encodeReference}), or null.
 *
 * @example
 * ```ts
 * const calibrator = decodeCalibrator(await store.getArtifact(model, version, "reference-profile"));
 * ```
 */
export function decodeCalibrator(bytes: Uint8Array): IsotonicRegression | null {
  const json = JSON.parse(Buffer.from(bytes).toString("utf8")) as { calibrator?: unknown };
  return json.calibrator === undefined ? null : IsotonicRegression.fromJSON(json.calibrator);
}

/**
 * The inverse of {@link encodeReference}; statistics (std, deciles) are recomputed from the sorted values.
 *
 * @example
 * ```ts
 * const profile = decodeReference(await store.getArtifact(model, version, "reference-profile"));
 * ```
 */
export function decodeReference(bytes: Uint8Array): ReferenceProfile {
  const json = JSON.parse(Buffer.from(bytes).toString("utf8")) as {
    columns: Record<string, StoredColumn>;
    prediction: StoredColumn | null;
    target: StoredColumn | null;
  };
  const column = (c: StoredColumn): ColumnProfile => {
    if (c.type === "numeric") {
      const buffer = Buffer.from(c.sorted, "base64");
      const sorted = new Float64Array(
        buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength),
      );
      return numericProfile({ ...numericSample(sorted, 0), missing: c.missing });
    }
    const counts = new Map(c.counts);
    let total = 0;
    for (const n of counts.values()) total += n;
    const sample: CategoricalSample = { type: "categorical", counts, total, missing: c.missing };
    return sample;
  };
  return {
    columns: new Map(Object.entries(json.columns).map(([name, c]) => [name, column(c)])),
    prediction: json.prediction === null ? null : column(json.prediction),
    target: json.target === null ? null : column(json.target),
  };
}

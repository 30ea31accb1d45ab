/** A prediction event as the monitor keeps it (validated; times in epoch milliseconds). */
export interface PredictionEvent {
  /** Client-supplied id: ingestion is idempotent by (model, id). */
  readonly id: string;
  readonly timeMs: number;
  readonly version: string;
  /** Values by schema column (features and sensitive attributes); null is a missing value. */
  readonly features: Readonly<Record<string, number | string | null>>;
  /** The predicted value (regression) or class label (classification). */
  readonly prediction: number | string | null;
  /** Class scores in the model's class order, when the model gives them. */
  readonly scores: readonly number[] | null;
  readonly latencyMs: number | null;
}

/**
 * A feature's value in an event, own properties only: a missing column called `constructor` or
 * `__proto__` must read as missing, not as Object.prototype's member.
 *
 * @example
 * ```ts
 * featureValue(event.features, "__proto__"); // undefined unless the event sent it
 * ```
 */
export function featureValue(
  features: Readonly<Record<string, number | string | null>>,
  name: string,
): number | string | null | undefined {
  return Object.hasOwn(features, name) ? features[name] : undefined;
}

/** A label (ground truth) for an earlier event, joined by id. */
export interface LabelRecord {
  readonly id: string;
  readonly value: number | string;
  readonly timeMs: number;
}

/**
 * One problem with one record of an ingest batch. `code` is stable (docs/errors.md lists them), so a
 * client can drop or fix the record and resend the rest.
 */
export interface RecordProblem {
  /** 1-based line of the record in an NDJSON body, or its 1-based position in a JSON array. */
  readonly line: number;
  /** JSON path of the offending field within the record ("" for the record itself). */
  readonly field: string;
  readonly code: RecordProblemCode;
  readonly message: string;
}

/** The stable codes of {@link RecordProblem}. */
export type RecordProblemCode =
  | "malformed_json"
  | "not_an_object"
  | "missing_field"
  | "wrong_type"
  | "not_finite"
  | "unknown_field"
  | "unknown_feature"
  | "unknown_version"
  | "unknown_class"
  | "too_late"
  | "in_future"
  | "out_of_range"
  | "invalid_id";

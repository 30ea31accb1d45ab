/**
 * Checks for the `fromJSON` readers. Accumulator state comes back from the monitoring server's own store,
 * so a mismatch means a bug or a version skew: fail loudly, naming the field, rather than compute
 * metrics from half-read state.
 */

import type { ClassLabel } from "./labels.js";

/**
 * A JSON object read as a record, with the format name and version checked.
 *
 * @example
 * ```ts
 * const record = expectFormat(JSON.parse(text), "tiktoktoe.metrics.regression", 1);
 * ```
 */
export function expectFormat(value: unknown, format: string, version: number): Record<string, unknown> {
  const record = expectRecord(value, format);
  if (record.format !== format) {
    throw new TypeError(`fromJSON: expected format ${format}, got ${JSON.stringify(record.format)}`);
  }
  if (record.version !== version) {
    throw new RangeError(`fromJSON: ${format} version ${JSON.stringify(record.version)} is not ${version}`);
  }
  return record;
}

/**
 * A value that must be a plain object.
 *
 * @example
 * ```ts
 * const roc = expectRecord(record.rocAuc, "rocAuc");
 * ```
 */
export function expectRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`fromJSON: ${what} must be an object`);
  }
  return value as Record<string, unknown>;
}

/**
 * A finite number.
 *
 * @example
 * ```ts
 * const m2 = expectNumber(record.m2, "m2");
 * ```
 */
export function expectNumber(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`fromJSON: ${what} must be a finite number`);
  }
  return value;
}

/**
 * A count: a non-negative safe integer.
 *
 * @example
 * ```ts
 * const events = expectCount(record.events, "events");
 * ```
 */
export function expectCount(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`fromJSON: ${what} must be a non-negative integer`);
  }
  return value;
}

/**
 * An array of finite numbers.
 *
 * @example
 * ```ts
 * const scores = expectNumbers(record.scores, "scores");
 * ```
 */
export function expectNumbers(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) throw new TypeError(`fromJSON: ${what} must be an array`);
  for (let i = 0; i < value.length; i++) {
    const x: unknown = value[i];
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new TypeError(`fromJSON: ${what}[${i}] must be a finite number`);
    }
  }
  return value as number[];
}

/**
 * A `[sum, compensation]` pair of {@link CompensatedSum.toJSON}.
 *
 * @example
 * ```ts
 * const pair = expectSumPair(record.absoluteError, "absoluteError");
 * ```
 */
export function expectSumPair(value: unknown, what: string): [number, number] {
  const pair = expectNumbers(value, what);
  if (pair.length !== 2) throw new TypeError(`fromJSON: ${what} must be a [sum, compensation] pair`);
  return [pair[0]!, pair[1]!];
}

/**
 * An array of class labels (all strings or all finite numbers).
 *
 * @example
 * ```ts
 * const labels = expectLabels(record.labels, "labels");
 * ```
 */
export function expectLabels(value: unknown, what: string): ClassLabel[] {
  if (!Array.isArray(value)) throw new TypeError(`fromJSON: ${what} must be an array`);
  for (const label of value) {
    if (typeof label !== "string" && (typeof label !== "number" || !Number.isFinite(label))) {
      throw new TypeError(`fromJSON: ${what} must hold strings or finite numbers`);
    }
  }
  return value as ClassLabel[];
}

/**
 * A value that must be an array.
 *
 * @example
 * ```ts
 * const groups = expectArray(record.groups, "groups");
 * ```
 */
export function expectArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`fromJSON: ${what} must be an array`);
  return value;
}

/**
 * A string.
 *
 * @example
 * ```ts
 * const name = expectString(record.name, "name");
 * ```
 */
export function expectString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new TypeError(`fromJSON: ${what} must be a string`);
  return value;
}

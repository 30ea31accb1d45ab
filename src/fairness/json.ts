/**
 * Checks for the `fromJSON` readers. State comes back from the monitoring server's own store, so a
 * mismatch is a bug or a version skew: fail loudly, naming the field, rather than report fairness from
 * half-read counts. (src/metrics/ has the same helpers; layers may not import each other sideways.)
 */

/**
 * A JSON object read as a record, with the format name and version checked.
 *
 * @example
 * ```ts
 * const record = expectFormat(JSON.parse(text), "tiktoktoe.fairness.group-confusion", 1);
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
 * const group = expectRecord(value, "attributes[0].groups[2]");
 * ```
 */
export function expectRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`fromJSON: ${what} must be an object`);
  }
  return value as Record<string, unknown>;
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

/**
 * A finite number.
 *
 * @example
 * ```ts
 * const mean = expectNumber(record.mean, "mean");
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
 * const tp = expectCount(record.tp, "tp");
 * ```
 */
export function expectCount(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`fromJSON: ${what} must be a non-negative integer`);
  }
  return value;
}

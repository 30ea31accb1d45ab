import type { Cell, Row } from "./features.js";
import type { OnlineLinearModel } from "./linear-model.js";
import { type BatchValidation, type DataSchema, type ValidateOptions, validateBatch } from "./validation.js";

/**
 * What {@link learnIfValid} did: learned from every row, or quarantined the batch with the reasons
 * (the model untouched).
 */
export interface ValidatedUpdate {
  readonly learned: boolean;
  readonly validation: BatchValidation;
}

/**
 * Validates a labelled batch and learns from it only when every check passes: a failing batch is
 * quarantined (its reasons returned for the caller to store) and never reaches the model.
 *
 * @example
 * ```ts
 * const { learned, validation } = learnIfValid(model, schema, rows, { label: "income" });
 * if (!learned) await store.putDocument("quarantine", id, { rows, reasons: validation.reasons });
 * ```
 */
export function learnIfValid(
  model: OnlineLinearModel,
  schema: DataSchema,
  rows: readonly Row[],
  options: ValidateOptions & { readonly label: string; readonly weights?: ArrayLike<number> },
): ValidatedUpdate {
  const validation = validateBatch(schema, rows, options);
  if (!validation.ok) return { learned: false, validation };
  rows.forEach((row, r) => {
    model.learnRow(row, row[options.label] as Cell, options.weights?.[r] ?? 1);
  });
  return { learned: true, validation };
}

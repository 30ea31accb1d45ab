import {
  BinaryClassificationAccumulator,
  MulticlassClassificationAccumulator,
  RegressionAccumulator,
} from "../metrics/index.js";
import type { ReferenceColumn } from "./window-drift.js";
import type { WindowModel } from "./window-state.js";

/**
 * The quality of a model on its reference data: the same accumulator's result a window has, over
 * every reference row with both a prediction and a target. The stored profile keeps distributions
 * only, so this is computed once, at the upload, and kept beside it; any configured metric is read
 * from it later with `qualityValue`.
 */
export interface ReferenceQuality {
  /** Rows with both a prediction and a target. */
  readonly labelled: number;
  /** The accumulator's result (e.g. `mae`, `rmse`, `r2` for regression; `accuracy`, `macro.f1`, …). */
  readonly quality: Record<string, unknown>;
}

/**
 * The reference's quality from its prediction and target columns, or null without both (or without
 * a row that has both). Pure: the metric accumulators of src/metrics, fed row by row.
 *
 * @example
 * ```ts
 * referenceQuality({ task: "regression", numeric: [], categorical: [] },
 *   Float64Array.of(1, 2), Float64Array.of(1.5, 2), null); // { labelled: 2, quality: { mae: 0.25, … } }
 * ```
 */
export function referenceQuality(
  model: Pick<WindowModel, "task" | "classes">,
  prediction: ReferenceColumn | null,
  target: ReferenceColumn | null,
  score: Float64Array | null,
): ReferenceQuality | null {
  if (prediction === null || target === null) return null;
  const rows = Math.min(prediction.length, target.length);
  let labelled = 0;
  if (model.task === "regression") {
    const accumulator = new RegressionAccumulator();
    for (let i = 0; i < rows; i++) {
      const p = prediction[i];
      const t = target[i];
      if (typeof p !== "number" || typeof t !== "number" || !Number.isFinite(p) || !Number.isFinite(t))
        continue;
      accumulator.addEvents(1);
      accumulator.addLabel(t, p);
      labelled++;
    }
    return labelled === 0
      ? null
      : { labelled, quality: accumulator.result() as unknown as Record<string, unknown> };
  }
  const classes = model.classes ?? [];
  const binary = model.task === "binary" && classes.length === 2;
  const accumulator = binary
    ? new BinaryClassificationAccumulator({ negative: classes[0]!, positive: classes[1]! })
    : new MulticlassClassificationAccumulator(classes.length > 0 ? { classes } : {});
  for (let i = 0; i < rows; i++) {
    const p = prediction[i];
    const t = target[i];
    if (p === null || t === null || p === undefined || t === undefined) continue;
    if (typeof p === "number" && Number.isNaN(p)) continue;
    if (typeof t === "number" && Number.isNaN(t)) continue;
    const s = score?.[i];
    try {
      if (accumulator instanceof BinaryClassificationAccumulator)
        accumulator.addLabel(String(t), String(p), s !== undefined && Number.isFinite(s) ? s : undefined);
      else accumulator.addLabel(String(t), String(p));
    } catch {
      // A class the model does not declare, or a score that is not a probability: the row is left
      // out of the baseline rather than failing the upload (the profile takes it as it is).
      continue;
    }
    accumulator.addEvents(1);
    labelled++;
  }
  return labelled === 0
    ? null
    : { labelled, quality: accumulator.result() as unknown as Record<string, unknown> };
}

import { featureMeans, linearAttributions } from "../../explain/index.js";
import { seededRandom } from "../../stats/index.js";
import type { ModelRecord, Store } from "../../store/index.js";
import { type LinearMeta, linearFeatures, linearNotes } from "./linear-model.js";
import { runPermutation } from "./permutation.js";
import { referenceMeans } from "./reference-importance.js";
import { fnv1a } from "./seed.js";
import type { WindowBounds, WindowResult } from "./types.js";
import { EXPLAIN_MIN_ROWS, tooFew } from "./usable-rows.js";
import { type WindowRowsStore, windowRows } from "./window-rows.js";

/**
 * Every random draw of a window (the sample, the shuffles) comes from a seed of model, version and
 * window start, so a window's answer is the same on every server, before and after a restart.
 */
function windowRandom(model: string, version: string, startMs: number): () => number {
  return seededRandom(fnv1a(`${model}/${version}/${startMs}`)).uniform;
}

/**
 * Exact attributions of a linear version over the window's events (no labels needed), centred on
 * the reference profile's means when `centreOnReference`, on the window's own means otherwise.
 *
 * @example
 * ```ts
 * const result = await linearWindow(store, record, "3", window, linear, true);
 * result.scoring; // "mean_abs_attribution"
 * ```
 */
export async function linearWindow(
  store: WindowRowsStore & Pick<Store, "getArtifact">,
  record: ModelRecord,
  version: string,
  window: WindowBounds,
  linear: LinearMeta,
  centreOnReference: boolean,
): Promise<WindowResult> {
  const random = windowRandom(record.name, version, window.startMs);
  const names = linearFeatures(record, linear);
  const rows = await windowRows(store, record, version, window, names, false, random);
  if (rows.labels.length < EXPLAIN_MIN_ROWS)
    throw tooFew(record.name, version, window.startMs, rows.labels.length, false);
  const weights = names.map((name) => linear.weights.get(name)!);
  const means = centreOnReference
    ? await referenceMeans(store, record.name, version, names)
    : featureMeans(rows.columns);
  const attributions = linearAttributions({ weights, bias: linear.bias }, rows.columns, means);
  const importances = names.map((feature, j) => {
    const mean = attributions.importance[j]!;
    let variance = 0;
    for (const phi of attributions.attributions[j]!) variance += (Math.abs(phi) - mean) ** 2;
    return { feature, mean, std: Math.sqrt(variance / rows.labels.length) };
  });
  return {
    method: "linear",
    scoring: "mean_abs_attribution",
    baseline: attributions.expectedValue,
    rows: rows.labels.length,
    repeats: 0,
    skipped: rows.skipped,
    importances,
    notes: linearNotes(record, linear),
  };
}

/**
 * Permutation importance of an ONNX version over the window's labelled events.
 *
 * @example
 * ```ts
 * const result = await permutationWindow(store, record, "1", window, onnxBytes);
 * result.repeats; // 5 shuffles per feature
 * ```
 */
export async function permutationWindow(
  store: WindowRowsStore,
  record: ModelRecord,
  version: string,
  window: WindowBounds,
  onnx: Uint8Array,
): Promise<WindowResult> {
  const random = windowRandom(record.name, version, window.startMs);
  const names = record.features.filter((f) => f.role === "feature").map((f) => f.name);
  const rows = await windowRows(store, record, version, window, names, true, random);
  if (rows.labels.length < EXPLAIN_MIN_ROWS)
    throw tooFew(record.name, version, window.startMs, rows.labels.length, true);
  const permutation = await runPermutation(
    record,
    onnx,
    { columns: rows.columns, labels: rows.labels, names },
    random,
  );
  return {
    method: "permutation",
    scoring: permutation.scoring,
    baseline: permutation.baseline,
    rows: permutation.rows,
    repeats: permutation.repeats,
    skipped: rows.skipped,
    importances: permutation.importances,
    notes:
      rows.skipped > 0 ? [`${rows.skipped} labelled rows with a missing feature value were left out`] : [],
  };
}

/**
 * The pure parts of quantization's accuracy-aware fp32 fallback (`quantizeTechnique`): the metric
 * drop of a candidate on held rows, and the order in which layers go back to fp32.
 */

/**
 * The metric drop of `candidate` against `reference` outputs on rows with known `labels`:
 * classification (`classes` given, outputs row-major [rows, classes]): accuracy_ref − accuracy_cand by
 * arg-max (first maximum on ties); regression (one output per row): the relative MAE rise
 * (MAE_cand − MAE_ref) / MAE_ref, as the optimizer's acceptance measures it (0 when both are exact).
 *
 * @example
 * ```ts
 * heldMetricDrop(Float32Array.of(0.9, 0.1, 0.2, 0.8), Float32Array.of(0.9, 0.1, 0.6, 0.4), Float64Array.of(0, 1), 2); // 0.5
 * ```
 */
export function heldMetricDrop(
  reference: ArrayLike<number>,
  candidate: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number | undefined,
): number {
  const rows = labels.length;
  if (rows === 0) return 0;
  if (classes === undefined) {
    let ref = 0;
    let cand = 0;
    for (let i = 0; i < rows; i++) {
      ref += Math.abs(reference[i]! - labels[i]!);
      cand += Math.abs(candidate[i]! - labels[i]!);
    }
    if (ref === 0) return cand === 0 ? 0 : Number.POSITIVE_INFINITY;
    return (cand - ref) / ref;
  }
  const argmax = (values: ArrayLike<number>, row: number) => {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (values[row * classes + c]! > values[row * classes + best]!) best = c;
    return best;
  };
  let refHits = 0;
  let candHits = 0;
  for (let i = 0; i < rows; i++) {
    if (argmax(reference, i) === labels[i]) refHits++;
    if (argmax(candidate, i) === labels[i]) candHits++;
  }
  return (refHits - candHits) / rows;
}

/**
 * Layers by descending sensitivity (the error of quantizing that layer alone); ties, and NaN (a layer
 * whose one-layer model failed to run: the most suspect), keep the given order — NaN first.
 *
 * @example
 * ```ts
 * sensitivityOrder([{ key: "a", error: 0.01 }, { key: "b", error: 0.4 }, { key: "c", error: 0.01 }]); // ["b", "a", "c"]
 * ```
 */
export function sensitivityOrder(
  layers: readonly { readonly key: string; readonly error: number }[],
): string[] {
  const rank = (e: number) => (Number.isNaN(e) ? Number.POSITIVE_INFINITY : e);
  return layers
    .map((layer, index) => ({ ...layer, index }))
    .sort((a, b) => rank(b.error) - rank(a.error) || a.index - b.index)
    .map((layer) => layer.key);
}

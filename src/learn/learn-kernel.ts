/**
 * The optional compiled update loop of the one-output linear models (binary and regression). This
 * layer stays pure and knows only its shape; the parallel layer loads the Node-API addon built from
 * native/ (src/parallel/native.ts) and installs it here. The kernel makes the same model bit for bit
 * as the JavaScript loop (native/learn.c; docs/decisions.md, "Online learning"), so installing it
 * changes speed only, never a result.
 */

/**
 * The slots of the `io` array the kernel reads its sizes, settings and counters from and writes its
 * counters back to; the same enum as native/learn.h.
 */
export const LEARN_IO = {
  kind: 0,
  task: 1,
  standardize: 2,
  p: 3,
  c: 4,
  capacity: 5,
  coordinates: 6,
  p0: 7,
  p1: 8,
  p2: 9,
  p3: 10,
  u: 11,
  updates: 12,
  targetCount: 13,
  targetMean: 14,
  targetM2: 15,
  rows: 16,
  numericOffset: 17,
  slotOffset: 18,
  label: 19,
  weight: 20,
  length: 21,
} as const;

/**
 * The addon's `learnRows`: learns `io[rows]` rows in order, exactly as `learnEncoded` on each. The
 * model's state is one array, `count, mean, m2, 1/sd` (p values each) then `a, b` (and, for FTRL,
 * `w, √n`), `capacity` values each. Row r is `numeric[numericOffset + r·p …]` and
 * `slots[slotOffset + r·c …]`, with label `labels[r]` (or `io[label]` when `labels` is null) and
 * weight `weights[r]` (or `io[weight]`).
 *
 * @example
 * ```ts
 * kernel(state, io, batch.numeric, batch.slots, batch.labels, batch.weights ?? null);
 * ```
 */
export type LearnRowsKernel = (
  state: Float64Array,
  io: Float64Array,
  numeric: Float64Array,
  slots: Int32Array,
  labels: Float64Array | null,
  weights: Float64Array | null,
) => void;

let installed: LearnRowsKernel | null = null;

/**
 * Makes the models of this thread learn through `kernel` (`null`: the JavaScript loop again). The
 * models are the same either way; only the speed changes.
 *
 * @example
 * ```ts
 * useLearnKernel(loadNativeLearnKernel()); // src/parallel/native.ts; null when the addon is not built
 * ```
 */
export function useLearnKernel(kernel: LearnRowsKernel | null): void {
  installed = kernel;
}

/**
 * The kernel installed by {@link useLearnKernel} in this thread, or null.
 *
 * @example
 * ```ts
 * installedLearnKernel() === null; // true until a loader installs it
 * ```
 */
export function installedLearnKernel(): LearnRowsKernel | null {
  return installed;
}

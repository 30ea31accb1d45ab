import { LEARN_IO, type LearnRowsKernel } from "./learn-kernel.js";
import type { LinearState } from "./linear-state.js";

/**
 * The glue between a one-output linear model's {@link LinearState} and the compiled update loop
 * installed in learn-kernel.ts: what goes into the kernel's `io` array and what comes back. The
 * kernel runs linear-updates.ts's learnSingle operation for operation, so these calls change the
 * speed of an update, never its result.
 */

/**
 * A new `io` array for `state`'s kernel calls, with the sizes and the optimizer's settings that
 * never change (the counters are written by {@link learnRows} at every call).
 *
 * @example
 * ```ts
 * const io = kernelIo(state); // io[LEARN_IO.p] === state.p
 * ```
 */
export function kernelIo(state: LinearState): Float64Array {
  const io = new Float64Array(LEARN_IO.length);
  const { optimizer } = state;
  io[LEARN_IO.kind] = optimizer.kind === "ftrl" ? 0 : optimizer.kind === "adagrad" ? 1 : 2;
  io[LEARN_IO.task] = state.task === "regression" ? 1 : 0;
  io[LEARN_IO.standardize] = state.standardize ? 1 : 0;
  io[LEARN_IO.p] = state.p;
  io[LEARN_IO.c] = state.c;
  const settings =
    optimizer.kind === "ftrl"
      ? [optimizer.alpha, optimizer.beta, optimizer.l1, optimizer.l2]
      : optimizer.kind === "adagrad"
        ? [optimizer.eta, optimizer.epsilon, optimizer.l1, optimizer.l2]
        : [optimizer.eta, optimizer.l1, optimizer.l2, 0];
  io.set(settings, LEARN_IO.p0);
  return io;
}

/**
 * Learns a batch of `size` rows through the kernel, after making room for every slot they name.
 *
 * @example
 * ```ts
 * learnBatch(kernel, state, io, batch.size, batch.numeric, batch.slots, batch.labels, batch.weights ?? null);
 * ```
 */
export function learnBatch(
  kernel: LearnRowsKernel,
  state: LinearState,
  io: Float64Array,
  size: number,
  numeric: Float64Array,
  slots: Int32Array,
  labels: Float64Array,
  weights: Float64Array | null,
): void {
  // Room for every slot of the batch first: learnEncoded makes it row by row, and a coordinate
  // made early is all zeros until its row, so the model is the same.
  let top = state.coordinates;
  for (let i = 0, end = size * state.c; i < end; i++) {
    const slot = slots[i]!;
    if (slot >= top) top = slot + 1;
  }
  state.reserve(top);
  learnRows(kernel, state, io, numeric, 0, slots, 0, size, labels, weights, 0, 1);
}

/**
 * learnSingle (linear-updates.ts) on `rows` rows through the compiled kernel (learn-kernel.ts): the
 * same operations in the same order, so the same model. The counters travel in `io` and come back.
 *
 * @example
 * ```ts
 * learnRows(kernel, state, io, numeric, 0, slots, 0, 1, null, null, label, 1); // one row
 * ```
 */
export function learnRows(
  kernel: LearnRowsKernel,
  state: LinearState,
  io: Float64Array,
  numeric: Float64Array,
  numericOffset: number,
  slots: Int32Array,
  slotOffset: number,
  rows: number,
  labels: Float64Array | null,
  weights: Float64Array | null,
  label: number,
  weight: number,
): void {
  io[LEARN_IO.capacity] = state.capacity;
  io[LEARN_IO.coordinates] = state.coordinates;
  io[LEARN_IO.u] = state.u;
  io[LEARN_IO.updates] = state.updates;
  io[LEARN_IO.targetCount] = state.targetCount;
  io[LEARN_IO.targetMean] = state.targetMean;
  io[LEARN_IO.targetM2] = state.targetM2;
  io[LEARN_IO.rows] = rows;
  io[LEARN_IO.numericOffset] = numericOffset;
  io[LEARN_IO.slotOffset] = slotOffset;
  io[LEARN_IO.label] = label;
  io[LEARN_IO.weight] = weight;
  kernel(state.packed, io, numeric, slots, labels, weights);
  state.u = io[LEARN_IO.u]!;
  state.updates = io[LEARN_IO.updates]!;
  state.targetCount = io[LEARN_IO.targetCount]!;
  state.targetMean = io[LEARN_IO.targetMean]!;
  state.targetM2 = io[LEARN_IO.targetM2]!;
}

/**
 * Optional compiled versions of the two hottest drift kernels: the radix sort of `sortedFinite` and
 * the merge walk of `ksWassersteinSorted`. This layer stays pure and knows only their shape; the
 * parallel layer loads the Node-API addon built from native/ (src/parallel/native.ts) and installs it
 * here, or passes it to the kernels directly. Every native kernel gives the same bits as its
 * JavaScript twin, so installing one changes speed only, never a result (docs/decisions.md).
 */

/** The native kernels, as the addon exports them. */
export interface NativeKernels {
  /**
   * The radix path of `sortedFinite`: writes the values of `column` that are not NaN (all of them
   * when `hasNaN` is false), ascending, to the start of `out` (at least as long as `column`; it may
   * be `column` itself) and returns how many there are.
   */
  readonly sortFinite: (column: Float64Array, hasNaN: boolean, out: Float64Array) => number;
  /**
   * The merge walk of `ksWassersteinSorted` over two ascending, NaN-free, non-empty samples: writes
   * its final state `maxI, maxJ, minI, minJ, sum, comp` to `state` (at least 6 long).
   */
  readonly ksWasserstein: (a: Float64Array, b: Float64Array, state: Float64Array) => void;
}

let installed: NativeKernels | null = null;

/**
 * Makes the kernels use `kernels` by default in this thread (`null`: the JavaScript kernels again).
 * Results are the same either way; only the speed changes.
 *
 * @example
 * ```ts
 * useNativeKernels(loadNativeKernels()); // src/parallel/native.ts; null when the addon is not built
 * ```
 */
export function useNativeKernels(kernels: NativeKernels | null): void {
  installed = kernels;
}

/**
 * The kernels installed by {@link useNativeKernels} in this thread, or null.
 *
 * @example
 * ```ts
 * installedNativeKernels() === null; // true until a loader installs them
 * ```
 */
export function installedNativeKernels(): NativeKernels | null {
  return installed;
}

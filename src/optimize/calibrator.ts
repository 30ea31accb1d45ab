/**
 * The common shape of the streaming calibrators: one object per tensor, fed batch by batch, holding a
 * bounded state (extremes, or one histogram), from which a real range [min, max] is read at the end.
 */

/**
 * A real range to quantize a tensor over.
 *
 * @example
 * ```ts
 * const range: TensorRange = { min: -2.5, max: 3 };
 * ```
 */
export interface TensorRange {
  readonly min: number;
  readonly max: number;
}

/**
 * A streaming calibrator: `update` per batch of a tensor's values, `range` when done (callable at any
 * time; it does not consume the state).
 *
 * @example
 * ```ts
 * const calibrator: Calibrator = new MinMaxCalibrator();
 * calibrator.update(new Float32Array([-1, 2]));
 * calibrator.range(); // { min: -1, max: 2 }
 * ```
 */
export interface Calibrator {
  update(values: ArrayLike<number>): void;
  range(): TensorRange;
}

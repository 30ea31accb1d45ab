/**
 * The three loops of a dense layer over a mini-batch, with the weight matrix `w` stored row-major as
 * [outputs, inputs] (ONNX `Gemm` with `transB = 1`: y = x·wᵀ + b). Every inner loop walks memory
 * contiguously; the outer loops are blocked by four (four outputs, or four samples) so that one load
 * of a row feeds four multiply-adds. Measured on the 64-128-10 digits student (docs/decisions.md):
 * blocking by four took 20 epochs from 0.84 s to 0.36 s against the plain triple loops; blocking
 * further (2 × 4) gained nothing. Activations and gradients are float64 (V8 computes in doubles
 * anyway, and the gradient check needs the precision); weights are float32, as ONNX stores them.
 */

/**
 * y[b, o] = bias[o] + Σᵢ x[b, i] · w[o, i] for b < batch.
 *
 * @example
 * ```ts
 * // one sample, 2 inputs → 1 output: y = 1·3 + 2·4 + 0.5
 * const y = new Float64Array(1);
 * denseForward(Float64Array.of(1, 2), 1, 2, Float32Array.of(3, 4), Float32Array.of(0.5), 1, y); // y[0] = 11.5
 * ```
 */
export function denseForward(
  x: Float64Array,
  batch: number,
  inputs: number,
  w: Float32Array,
  bias: Float32Array,
  outputs: number,
  y: Float64Array,
): void {
  const o4 = outputs - (outputs % 4);
  for (let b = 0; b < batch; b++) {
    const xb = b * inputs;
    const yb = b * outputs;
    let o = 0;
    for (; o < o4; o += 4) {
      const r0 = o * inputs;
      const r1 = r0 + inputs;
      const r2 = r1 + inputs;
      const r3 = r2 + inputs;
      let s0 = bias[o]!;
      let s1 = bias[o + 1]!;
      let s2 = bias[o + 2]!;
      let s3 = bias[o + 3]!;
      for (let i = 0; i < inputs; i++) {
        const xi = x[xb + i]!;
        s0 += xi * w[r0 + i]!;
        s1 += xi * w[r1 + i]!;
        s2 += xi * w[r2 + i]!;
        s3 += xi * w[r3 + i]!;
      }
      y[yb + o] = s0;
      y[yb + o + 1] = s1;
      y[yb + o + 2] = s2;
      y[yb + o + 3] = s3;
    }
    for (; o < outputs; o++) {
      const r = o * inputs;
      let s = bias[o]!;
      for (let i = 0; i < inputs; i++) s += x[xb + i]! * w[r + i]!;
      y[yb + o] = s;
    }
  }
}

/**
 * Accumulates the parameter gradients of a dense layer: gw[o, i] += Σ_b dy[b, o] · x[b, i] and
 * gb[o] += Σ_b dy[b, o]. Accumulating (not overwriting) lets a caller sum over several batches.
 *
 * @example
 * ```ts
 * const gw = new Float64Array(2);
 * const gb = new Float64Array(1);
 * // one sample x = [1, 2], upstream gradient 3 → gw = [3, 6], gb = [3]
 * denseBackwardParams(Float64Array.of(1, 2), 1, 2, Float64Array.of(3), 1, gw, gb);
 * ```
 */
export function denseBackwardParams(
  x: Float64Array,
  batch: number,
  inputs: number,
  dy: Float64Array,
  outputs: number,
  gw: Float64Array,
  gb: Float64Array,
): void {
  const b4 = batch - (batch % 4);
  for (let o = 0; o < outputs; o++) {
    const r = o * inputs;
    let sb = 0;
    let b = 0;
    for (; b < b4; b += 4) {
      const g0 = dy[b * outputs + o]!;
      const g1 = dy[(b + 1) * outputs + o]!;
      const g2 = dy[(b + 2) * outputs + o]!;
      const g3 = dy[(b + 3) * outputs + o]!;
      sb += g0 + g1 + g2 + g3;
      // A whole block of zero gradients (relu units that were off for four samples) is common.
      if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0) continue;
      const x0 = b * inputs;
      const x1 = x0 + inputs;
      const x2 = x1 + inputs;
      const x3 = x2 + inputs;
      for (let i = 0; i < inputs; i++)
        gw[r + i] = gw[r + i]! + g0 * x[x0 + i]! + g1 * x[x1 + i]! + g2 * x[x2 + i]! + g3 * x[x3 + i]!;
    }
    for (; b < batch; b++) {
      const g = dy[b * outputs + o]!;
      sb += g;
      if (g === 0) continue;
      const xb = b * inputs;
      for (let i = 0; i < inputs; i++) gw[r + i] = gw[r + i]! + g * x[xb + i]!;
    }
    gb[o] = gb[o]! + sb;
  }
}

/**
 * The gradient with respect to the layer's input: dx[b, i] = Σ_o dy[b, o] · w[o, i] (overwrites dx).
 *
 * @example
 * ```ts
 * const dx = new Float64Array(2);
 * // w = [[3, 4]], upstream gradient 2 → dx = [6, 8]
 * denseBackwardInput(Float64Array.of(2), 1, 1, Float32Array.of(3, 4), 2, dx);
 * ```
 */
export function denseBackwardInput(
  dy: Float64Array,
  batch: number,
  outputs: number,
  w: Float32Array,
  inputs: number,
  dx: Float64Array,
): void {
  dx.fill(0, 0, batch * inputs);
  const o4 = outputs - (outputs % 4);
  for (let b = 0; b < batch; b++) {
    const xb = b * inputs;
    const yb = b * outputs;
    let o = 0;
    for (; o < o4; o += 4) {
      const g0 = dy[yb + o]!;
      const g1 = dy[yb + o + 1]!;
      const g2 = dy[yb + o + 2]!;
      const g3 = dy[yb + o + 3]!;
      if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0) continue;
      const r0 = o * inputs;
      const r1 = r0 + inputs;
      const r2 = r1 + inputs;
      const r3 = r2 + inputs;
      for (let i = 0; i < inputs; i++)
        dx[xb + i] = dx[xb + i]! + g0 * w[r0 + i]! + g1 * w[r1 + i]! + g2 * w[r2 + i]! + g3 * w[r3 + i]!;
    }
    for (; o < outputs; o++) {
      const g = dy[yb + o]!;
      if (g === 0) continue;
      const r = o * inputs;
      for (let i = 0; i < inputs; i++) dx[xb + i] = dx[xb + i]! + g * w[r + i]!;
    }
  }
}

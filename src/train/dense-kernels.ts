/**
 * The three loops of a dense layer over a mini-batch, with the weight matrix `w` stored row-major as
 * [outputs, inputs] (ONNX `Gemm` with `transB = 1`: y = x·wᵀ + b). Every inner loop walks memory
 * contiguously; the outer loops are register-blocked (two samples × four outputs forward, two outputs ×
 * four samples for the weight gradient) so that one load feeds several multiply-adds. Measured on the
 * 64-128-10 student's first layer (batch 32, docs/decisions.md): 2 × 4 blocks ran 1.6× faster than
 * 1 × 4 blocks, and 3 × 4 or 4 × 2 blocks no faster than 2 × 4. Activations and gradients are float64 (V8 computes in doubles
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
  let b = 0;
  // Two samples × four outputs: each weight load feeds two multiply-adds and each input load four.
  for (; b + 1 < batch; b += 2) {
    const xa = b * inputs;
    const xc = xa + inputs;
    const ya = b * outputs;
    const yc = ya + outputs;
    let o = 0;
    for (; o < o4; o += 4) {
      const r0 = o * inputs;
      const r1 = r0 + inputs;
      const r2 = r1 + inputs;
      const r3 = r2 + inputs;
      let a0 = bias[o]!;
      let a1 = bias[o + 1]!;
      let a2 = bias[o + 2]!;
      let a3 = bias[o + 3]!;
      let c0 = a0;
      let c1 = a1;
      let c2 = a2;
      let c3 = a3;
      for (let i = 0; i < inputs; i++) {
        const u = x[xa + i]!;
        const v = x[xc + i]!;
        const w0 = w[r0 + i]!;
        const w1 = w[r1 + i]!;
        const w2 = w[r2 + i]!;
        const w3 = w[r3 + i]!;
        a0 += u * w0;
        a1 += u * w1;
        a2 += u * w2;
        a3 += u * w3;
        c0 += v * w0;
        c1 += v * w1;
        c2 += v * w2;
        c3 += v * w3;
      }
      y[ya + o] = a0;
      y[ya + o + 1] = a1;
      y[ya + o + 2] = a2;
      y[ya + o + 3] = a3;
      y[yc + o] = c0;
      y[yc + o + 1] = c1;
      y[yc + o + 2] = c2;
      y[yc + o + 3] = c3;
    }
    for (; o < outputs; o++) {
      const r = o * inputs;
      let s = bias[o]!;
      let t = s;
      for (let i = 0; i < inputs; i++) {
        const wi = w[r + i]!;
        s += x[xa + i]! * wi;
        t += x[xc + i]! * wi;
      }
      y[ya + o] = s;
      y[yc + o] = t;
    }
  }
  if (b < batch) {
    // The odd last sample.
    const xb = b * inputs;
    const yb = b * outputs;
    for (let o = 0; o < outputs; o++) {
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
  let o = 0;
  // Two outputs × four samples: each input load feeds two multiply-adds, each gw row is read and
  // written once per four samples.
  for (; o + 1 < outputs; o += 2) {
    const r = o * inputs;
    const s = r + inputs;
    let sumR = 0;
    let sumS = 0;
    let b = 0;
    for (; b < b4; b += 4) {
      const k0 = b * outputs + o;
      const k1 = k0 + outputs;
      const k2 = k1 + outputs;
      const k3 = k2 + outputs;
      const g0 = dy[k0]!;
      const g1 = dy[k1]!;
      const g2 = dy[k2]!;
      const g3 = dy[k3]!;
      const h0 = dy[k0 + 1]!;
      const h1 = dy[k1 + 1]!;
      const h2 = dy[k2 + 1]!;
      const h3 = dy[k3 + 1]!;
      sumR += g0 + g1 + g2 + g3;
      sumS += h0 + h1 + h2 + h3;
      // Relu units that were off for all four samples leave an all-zero block.
      if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && h0 === 0 && h1 === 0 && h2 === 0 && h3 === 0)
        continue;
      const x0 = b * inputs;
      const x1 = x0 + inputs;
      const x2 = x1 + inputs;
      const x3 = x2 + inputs;
      for (let i = 0; i < inputs; i++) {
        const v0 = x[x0 + i]!;
        const v1 = x[x1 + i]!;
        const v2 = x[x2 + i]!;
        const v3 = x[x3 + i]!;
        gw[r + i] = gw[r + i]! + g0 * v0 + g1 * v1 + g2 * v2 + g3 * v3;
        gw[s + i] = gw[s + i]! + h0 * v0 + h1 * v1 + h2 * v2 + h3 * v3;
      }
    }
    for (; b < batch; b++) {
      const g = dy[b * outputs + o]!;
      const h = dy[b * outputs + o + 1]!;
      sumR += g;
      sumS += h;
      const xb = b * inputs;
      for (let i = 0; i < inputs; i++) {
        const v = x[xb + i]!;
        gw[r + i] = gw[r + i]! + g * v;
        gw[s + i] = gw[s + i]! + h * v;
      }
    }
    gb[o] = gb[o]! + sumR;
    gb[o + 1] = gb[o + 1]! + sumS;
  }
  if (o < outputs) {
    // The odd last output.
    const r = o * inputs;
    let sum = 0;
    for (let b = 0; b < batch; b++) {
      const g = dy[b * outputs + o]!;
      sum += g;
      if (g === 0) continue;
      const xb = b * inputs;
      for (let i = 0; i < inputs; i++) gw[r + i] = gw[r + i]! + g * x[xb + i]!;
    }
    gb[o] = gb[o]! + sum;
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

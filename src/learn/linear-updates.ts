import { ftrlWeight, type LinearState, sigmoid } from "./linear-state.js";

/**
 * The update loops of the online linear models in JavaScript: one sample's gradient, the
 * optimizer's step (FTRL-Proximal, AdaGrad, SGD with their L1/L2 penalties) and the running
 * statistics absorbing the sample, in place on a {@link LinearState}. {@link learnSingle} is the
 * fused loop for one output that native/learn.c mirrors operation for operation; {@link learnGeneral}
 * the loop for any number of outputs. linear-model.ts chooses between them and the compiled kernel
 * (linear-native.ts).
 */

/**
 * One update of any number of outputs on one encoded sample (the model's coordinates already
 * reserved): gradient of the loss at the sample's prediction, the optimizer's step, then the target's
 * and the numeric columns' statistics absorb the sample.
 *
 * @example
 * ```ts
 * learnGeneral(state, numeric, 0, slots, 0, 2, 1); // class 2, weight 1
 * ```
 */
export function learnGeneral(
  state: LinearState,
  numeric: Float64Array,
  numericOffset: number,
  slots: Int32Array,
  slotOffset: number,
  label: number,
  weight: number,
): void {
  if (weight !== 0) {
    const m = state.gather(numeric, numericOffset, slots, slotOffset);
    state.computeMargins(m);
    const margins = state.margins;
    // dℓ/dmargin per output, in place: log-loss for binary and softmax, squared error / 2 for regression.
    if (state.task === "regression")
      margins[0] = (margins[0]! - (label - state.targetCenter()) / state.targetScale()) * weight;
    else if (state.task === "binary") margins[0] = (sigmoid(margins[0]!) - label) * weight;
    else {
      const K = state.outputs;
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (margins[k]! > max) max = margins[k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(margins[k]! - max);
        margins[k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) margins[k] = (margins[k]! / sum - (k === label ? 1 : 0)) * weight;
    }
    step(state, m);
    state.updates++;
  }
  if (state.task === "regression" && Number.isFinite(label)) {
    state.targetCount++;
    const delta = label - state.targetMean;
    state.targetMean += delta / state.targetCount;
    state.targetM2 += delta * (label - state.targetMean);
  }
  if (state.standardize) absorb(state, numeric, numericOffset);
}

/**
 * OnlineLinearModel.learnEncoded for one output (regression and binary), fused: one pass standardises the
 * row and sums the margin, one pass steps each numeric coordinate and absorbs its value into the
 * running statistics, then the categorical slots. The same operations on the same numbers in the
 * same order per coordinate as the general path ({@link learnGeneral}: LinearState's gather and
 * computeMargins, {@link step}, {@link absorb}), so the model is bit for bit the one the general path
 * makes; only the bookkeeping (the `active` indirection, the output loop, a call per coordinate) is gone.
 *
 * @example
 * ```ts
 * learnSingle(state, numeric, 0, slots, 0, 1, 1); // the positive class, weight 1
 * ```
 */
export function learnSingle(
  state: LinearState,
  numeric: Float64Array,
  numericOffset: number,
  slots: Int32Array,
  slotOffset: number,
  label: number,
  weight: number,
): void {
  const { p, xs, active, optimizer } = state;
  const standardize = state.standardize;
  if (weight !== 0) {
    const sum = state.marginSingle(numeric, numericOffset, slots, slotOffset);
    const s = state.slotsActive;
    let gm: number;
    if (state.task === "regression")
      gm = (sum - (label - state.targetCenter()) / state.targetScale()) * weight;
    else gm = (sigmoid(sum) - label) * weight;
    const { a, b } = state;
    switch (optimizer.kind) {
      case "ftrl": {
        const { alpha, beta, l1, l2 } = optimizer;
        const inverseAlpha = 1 / alpha;
        const { w, sqrtN } = state;
        // A zero gradient leaves z, n and so w exactly as they are (z is never −0), so it is skipped.
        if (gm !== 0) {
          const n2 = b[0]! + gm * gm;
          const root = Math.sqrt(n2);
          const z = a[0]! + gm - (root - sqrtN[0]!) * inverseAlpha * w[0]!;
          a[0] = z;
          b[0] = n2;
          sqrtN[0] = root;
          w[0] = ftrlWeight(z, root, inverseAlpha, beta, 0, 0);
        }
        for (let j = 0; j < p; j++) {
          const g = gm * xs[j + 1]!;
          if (g !== 0) {
            const at = j + 1;
            const n2 = b[at]! + g * g;
            const root = Math.sqrt(n2);
            const z = a[at]! + g - (root - sqrtN[at]!) * inverseAlpha * w[at]!;
            a[at] = z;
            b[at] = n2;
            sqrtN[at] = root;
            w[at] = z <= l1 && z >= -l1 ? 0 : -(z - (z > 0 ? l1 : -l1)) / ((beta + root) * inverseAlpha + l2);
          }
        }
        if (gm !== 0)
          for (let i = 0; i < s; i++) {
            const at = active[i]!;
            const n2 = b[at]! + gm * gm;
            const root = Math.sqrt(n2);
            const z = a[at]! + gm - (root - sqrtN[at]!) * inverseAlpha * w[at]!;
            a[at] = z;
            b[at] = n2;
            sqrtN[at] = root;
            w[at] = z <= l1 && z >= -l1 ? 0 : -(z - (z > 0 ? l1 : -l1)) / ((beta + root) * inverseAlpha + l2);
          }
        break;
      }
      case "adagrad": {
        const { eta, epsilon, l1, l2 } = optimizer;
        {
          // The bias, unpenalised, written as step() computes it (its threshold is 0; a zero comes out +0).
          const g = gm * 1 + 0;
          const G = b[0]! + g * g;
          b[0] = G;
          const u = a[0]! - (eta * g) / (epsilon + Math.sqrt(G));
          a[0] = u > 0 ? u - 0 : u < 0 ? u + 0 : 0;
        }
        for (let j = 0; j < p; j++) {
          const at = j + 1;
          const wt = a[at]!;
          const g = gm * xs[at]! + l2 * wt;
          const G = b[at]! + g * g;
          b[at] = G;
          const h = epsilon + Math.sqrt(G);
          const u = wt - (eta * g) / h;
          const t = (eta * l1) / h;
          a[at] = u > t ? u - t : u < -t ? u + t : 0;
        }
        for (let i = 0; i < s; i++) {
          const at = active[i]!;
          const wt = a[at]!;
          const g = gm * 1 + l2 * wt;
          const G = b[at]! + g * g;
          b[at] = G;
          const h = epsilon + Math.sqrt(G);
          const u = wt - (eta * g) / h;
          const t = (eta * l1) / h;
          a[at] = u > t ? u - t : u < -t ? u + t : 0;
        }
        break;
      }
      case "sgd": {
        const { eta, l1, l2 } = optimizer;
        const shrink = Math.max(0, 1 - eta * l2);
        state.u += eta * l1;
        const u = state.u;
        const step = eta * gm;
        a[0] = a[0]! * 1 - step * 1;
        for (let j = 0; j < p; j++) {
          const at = j + 1;
          let wt = a[at]! * shrink - step * xs[at]!;
          // Tsuruoka's cumulative L1, as in step().
          const before = wt;
          const q = b[at]!;
          if (wt > 0) wt = Math.max(0, wt - (u + q));
          else if (wt < 0) wt = Math.min(0, wt + (u - q));
          b[at] = q + (wt - before);
          a[at] = wt;
        }
        for (let i = 0; i < s; i++) {
          const at = active[i]!;
          let wt = a[at]! * shrink - step * 1;
          const before = wt;
          const q = b[at]!;
          if (wt > 0) wt = Math.max(0, wt - (u + q));
          else if (wt < 0) wt = Math.min(0, wt + (u - q));
          b[at] = q + (wt - before);
          a[at] = wt;
        }
        break;
      }
    }
    state.updates++;
  }
  if (standardize) absorb(state, numeric, numericOffset);
  if (state.task === "regression" && Number.isFinite(label)) {
    state.targetCount++;
    const delta = label - state.targetMean;
    state.targetMean += delta / state.targetCount;
    state.targetM2 += delta * (label - state.targetMean);
  }
}

/**
 * Welford's update of the numeric columns' mean and M2 (missing values skipped). The mean moves
 * by δ·(1/n), 1/n computed once for the columns sharing a count (all of them, when none is
 * missing), and 1/sd is √(n/M2): one division and one square root per column instead of three
 * divisions and a square root; each differs from δ/n and 1/√(M2/n) in the last bit at most.
 */
function absorb(state: LinearState, numeric: Float64Array, numericOffset: number): void {
  const { count, mean, m2, inverseSd, p } = state;
  let lastN = 0;
  let inverseN = 0;
  for (let j = 0; j < p; j++) {
    const x = numeric[numericOffset + j]!;
    if (Number.isNaN(x)) continue;
    const n = count[j]! + 1;
    count[j] = n;
    if (n !== lastN) {
      lastN = n;
      inverseN = 1 / n;
    }
    const delta = x - mean[j]!;
    const next = mean[j]! + delta * inverseN;
    mean[j] = next;
    const m2j = m2[j]! + delta * (x - next);
    m2[j] = m2j;
    inverseSd[j] = n >= 2 && m2j > 0 ? Math.sqrt(n / m2j) : 0;
  }
}

/** The optimizer's step on the active coordinates, with `margins` holding dℓ/dmargin. */
function step(state: LinearState, m: number): void {
  const { active, xs, a, b, margins, outputs: K, optimizer } = state;
  switch (optimizer.kind) {
    case "ftrl": {
      const { alpha, beta, l1, l2 } = optimizer;
      const inverseAlpha = 1 / alpha;
      const { w, sqrtN } = state;
      for (let i = 0; i < m; i++) {
        const base = active[i]! * K;
        const x = xs[i]!;
        // The bias is not regularised (McMahan et al. regularise only the features).
        const l1i = i === 0 ? 0 : l1;
        const l2i = i === 0 ? 0 : l2;
        for (let k = 0; k < K; k++) {
          const g = margins[k]! * x;
          const at = base + k;
          const n2 = b[at]! + g * g;
          const root = Math.sqrt(n2);
          const sigma = (root - sqrtN[at]!) * inverseAlpha;
          const z = a[at]! + g - sigma * w[at]!;
          a[at] = z;
          b[at] = n2;
          sqrtN[at] = root;
          w[at] = ftrlWeight(z, root, inverseAlpha, beta, l1i, l2i);
        }
      }
      return;
    }
    case "adagrad": {
      const { eta, epsilon, l1, l2 } = optimizer;
      for (let i = 0; i < m; i++) {
        const base = active[i]! * K;
        const x = xs[i]!;
        const bias = i === 0;
        for (let k = 0; k < K; k++) {
          const w = a[base + k]!;
          const g = margins[k]! * x + (bias ? 0 : l2 * w);
          const G = b[base + k]! + g * g;
          b[base + k] = G;
          const h = epsilon + Math.sqrt(G);
          const u = w - (eta * g) / h;
          const t = bias ? 0 : (eta * l1) / h;
          a[base + k] = u > t ? u - t : u < -t ? u + t : 0;
        }
      }
      return;
    }
    case "sgd": {
      const { eta, l1, l2 } = optimizer;
      const shrink = Math.max(0, 1 - eta * l2);
      state.u += eta * l1;
      const u = state.u;
      for (let i = 0; i < m; i++) {
        const base = active[i]! * K;
        const x = xs[i]!;
        const bias = i === 0;
        for (let k = 0; k < K; k++) {
          let w = a[base + k]! * (bias ? 1 : shrink) - eta * margins[k]! * x;
          if (!bias) {
            // Tsuruoka's cumulative L1: pull towards 0 by what this weight has not yet paid, never across it.
            const before = w;
            const q = b[base + k]!;
            if (w > 0) w = Math.max(0, w - (u + q));
            else if (w < 0) w = Math.min(0, w + (u - q));
            b[base + k] = q + (w - before);
          }
          a[base + k] = w;
        }
      }
      return;
    }
  }
}

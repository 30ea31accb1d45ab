import { type ElasticNet, softThreshold } from "./elastic-net.js";

/**
 * An optimizer and its hyper-parameters; the defaults are PyTorch's, so a user's torch settings carry over.
 * - `sgd`: v ← μ·v + g; w ← w − η·v (PyTorch's momentum form; μ = 0 is plain SGD).
 * - `adam`: Kingma & Ba 2015 with bias correction; w ← w − η·m̂/(√v̂ + ε). The default for distillation.
 * - `adagrad`: Duchi et al. 2011; s ← s + g²; w ← w − η·g/(√s + ε).
 *
 * @example
 * ```ts
 * const adam: OptimizerSpec = { kind: "adam", learningRate: 1e-3 };
 * ```
 */
export type OptimizerSpec =
  | { readonly kind: "sgd"; readonly learningRate: number; readonly momentum?: number }
  | {
      readonly kind: "adam";
      readonly learningRate: number;
      readonly beta1?: number;
      readonly beta2?: number;
      readonly epsilon?: number;
    }
  | { readonly kind: "adagrad"; readonly learningRate: number; readonly epsilon?: number };

/**
 * One parameter tensor as the optimizer sees it: the float32 values (updated in place), the gradient
 * of this step, an optional mask (0 = pruned: the value is held at exactly 0), and whether the
 * elastic-net penalty applies (weights yes, biases no).
 *
 * @example
 * ```ts
 * const slot: ParameterSlot = { values: layer.weight, grad: gw, mask: null, penalised: true };
 * ```
 */
export interface ParameterSlot {
  readonly values: Float32Array;
  readonly grad: Float64Array;
  readonly mask: Uint8Array | null;
  readonly penalised: boolean;
}

/**
 * The optimizer's state: a step counter and, per parameter tensor, its moment buffers
 * (sgd: [velocity]; adam: [m, v]; adagrad: [sum of squares]), float64 so that a long run's sums keep
 * their precision and a saved state resumes bit for bit.
 *
 * @example
 * ```ts
 * const state = createOptimizerState({ kind: "adam", learningRate: 1e-3 }, [8192, 128]);
 * ```
 */
export interface OptimizerState {
  step: number;
  readonly buffers: Float64Array[][];
}

/**
 * Fresh state for tensors of the given sizes.
 *
 * @example
 * ```ts
 * createOptimizerState({ kind: "sgd", learningRate: 0.1, momentum: 0.9 }, [4, 2]).buffers.length; // 2
 * ```
 */
export function createOptimizerState(spec: OptimizerSpec, sizes: readonly number[]): OptimizerState {
  const perSlot = spec.kind === "adam" ? 2 : 1;
  return {
    step: 0,
    buffers: sizes.map((n) => Array.from({ length: perSlot }, () => new Float64Array(n))),
  };
}

/**
 * One update of every slot, at learning rate `learningRate` (the schedule already applied): L2 joins
 * the gradient, the rule moves the weight, then the L1 prox and the mask. A masked entry is set to 0
 * and its state left untouched, so a pruned weight stays exactly zero and never gathers momentum.
 *
 * @example
 * ```ts
 * optimizerStep({ kind: "adam", learningRate: 1e-3 }, state, slots, 1e-3, { l1: 0, l2: 0 });
 * ```
 */
export function optimizerStep(
  spec: OptimizerSpec,
  state: OptimizerState,
  slots: readonly ParameterSlot[],
  learningRate: number,
  penalty: ElasticNet,
): void {
  state.step++;
  const t = state.step;
  const lr = learningRate;
  for (let s = 0; s < slots.length; s++) {
    const { values, grad, mask, penalised } = slots[s]!;
    const buffers = state.buffers[s]!;
    const l2 = penalised ? penalty.l2 : 0;
    const threshold = penalised ? lr * penalty.l1 : 0;
    const n = values.length;
    switch (spec.kind) {
      case "sgd": {
        const mu = spec.momentum ?? 0;
        const v = buffers[0]!;
        for (let i = 0; i < n; i++) {
          if (mask !== null && mask[i] === 0) {
            values[i] = 0;
            continue;
          }
          const g = grad[i]! + l2 * values[i]!;
          const vi = mu * v[i]! + g;
          v[i] = vi;
          values[i] = values[i]! - lr * vi;
        }
        break;
      }
      case "adam": {
        const beta1 = spec.beta1 ?? 0.9;
        const beta2 = spec.beta2 ?? 0.999;
        const eps = spec.epsilon ?? 1e-8;
        // PyTorch's m̂/(√v̂ + ε) = (m/c₁)/(√v/√c₂ + ε), rearranged to one division per weight:
        // (√c₂/c₁)·m/(√v + ε·√c₂).
        const sqrtCorrection2 = Math.sqrt(1 - beta2 ** t);
        const stepSize = (lr * sqrtCorrection2) / (1 - beta1 ** t);
        const epsHat = eps * sqrtCorrection2;
        const m = buffers[0]!;
        const v = buffers[1]!;
        if (mask === null && l2 === 0) {
          // The common case (no mask, no decay) without the per-weight branches: a tenth of a training step.
          for (let i = 0; i < n; i++) {
            const g = grad[i]!;
            const mi = beta1 * m[i]! + (1 - beta1) * g;
            const vi = beta2 * v[i]! + (1 - beta2) * g * g;
            m[i] = mi;
            v[i] = vi;
            values[i] = values[i]! - (stepSize * mi) / (Math.sqrt(vi) + epsHat);
          }
          break;
        }
        for (let i = 0; i < n; i++) {
          if (mask !== null && mask[i] === 0) {
            values[i] = 0;
            continue;
          }
          const g = grad[i]! + l2 * values[i]!;
          const mi = beta1 * m[i]! + (1 - beta1) * g;
          const vi = beta2 * v[i]! + (1 - beta2) * g * g;
          m[i] = mi;
          v[i] = vi;
          values[i] = values[i]! - (stepSize * mi) / (Math.sqrt(vi) + epsHat);
        }
        break;
      }
      case "adagrad": {
        const eps = spec.epsilon ?? 1e-10;
        const sum = buffers[0]!;
        for (let i = 0; i < n; i++) {
          if (mask !== null && mask[i] === 0) {
            values[i] = 0;
            continue;
          }
          const g = grad[i]! + l2 * values[i]!;
          const si = sum[i]! + g * g;
          sum[i] = si;
          values[i] = values[i]! - (lr * g) / (Math.sqrt(si) + eps);
        }
        break;
      }
    }
    if (threshold > 0) for (let i = 0; i < n; i++) values[i] = softThreshold(values[i]!, threshold);
  }
}

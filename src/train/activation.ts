/**
 * The element-wise activations a dense layer may end with. Each maps to one ONNX operator
 * (`Relu`, `Tanh`, `Sigmoid`, or none for `identity`), so an exporter writes `Gemm` then that node.
 *
 * @example
 * ```ts
 * const hidden: Activation = "relu";
 * ```
 */
export type Activation = "relu" | "tanh" | "sigmoid" | "identity";

/** Every activation, in a stable order (for validation and tests). */
export const ACTIVATIONS: readonly Activation[] = ["relu", "tanh", "sigmoid", "identity"];

/**
 * Applies `activation` in place to `values[0..count)`.
 *
 * @example
 * ```ts
 * const z = Float64Array.of(-1, 2);
 * activateInPlace("relu", z, 2); // z is [0, 2]
 * ```
 */
export function activateInPlace(activation: Activation, values: Float64Array, count: number): void {
  switch (activation) {
    case "relu":
      for (let i = 0; i < count; i++) if (values[i]! < 0) values[i] = 0;
      return;
    case "tanh":
      for (let i = 0; i < count; i++) values[i] = Math.tanh(values[i]!);
      return;
    case "sigmoid":
      for (let i = 0; i < count; i++) values[i] = 1 / (1 + Math.exp(-values[i]!));
      return;
    case "identity":
      return;
  }
}

/**
 * Multiplies the gradient `grad[0..count)` in place by the activation's derivative, written in terms
 * of the activation's *output* `out` (relu: out > 0; tanh: 1 − out²; sigmoid: out·(1 − out)), so the
 * backward pass needs only the outputs the forward pass kept, not the pre-activations.
 *
 * @example
 * ```ts
 * const out = Float64Array.of(0, 2);
 * const grad = Float64Array.of(5, 5);
 * activationBackwardInPlace("relu", out, grad, 2); // grad is [0, 5]
 * ```
 */
export function activationBackwardInPlace(
  activation: Activation,
  out: Float64Array,
  grad: Float64Array,
  count: number,
): void {
  switch (activation) {
    case "relu":
      for (let i = 0; i < count; i++) if (!(out[i]! > 0)) grad[i] = 0;
      return;
    case "tanh":
      for (let i = 0; i < count; i++) {
        const y = out[i]!;
        grad[i] = grad[i]! * (1 - y * y);
      }
      return;
    case "sigmoid":
      for (let i = 0; i < count; i++) {
        const y = out[i]!;
        grad[i] = grad[i]! * y * (1 - y);
      }
      return;
    case "identity":
      return;
  }
}

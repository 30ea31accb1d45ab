/**
 * The three per-coordinate optimizers of the online linear models, as plain settings. Their state
 * (FTRL's z and n, AdaGrad's weights and squared-gradient sums, SGD's weights and cumulative L1
 * ledger) lives in the model's arrays, never here, so a model serialises whole and an update gives
 * the same result however the stream is cut into batches.
 */

/**
 * FTRL-Proximal (McMahan et al., "Ad Click Prediction: a View from the Trenches", KDD 2013,
 * Algorithm 1): per-coordinate rate α/(β + √nᵢ), L1 λ₁ and L2 λ₂ in closed form, exact zeros.
 * λ₁ and λ₂ weigh the whole stream's objective Σₜ ℓₜ(w) + λ₁‖w‖₁ + (λ₂/2)‖w‖², as in the paper.
 *
 * @example
 * ```ts
 * const ftrl: FtrlSettings = { kind: "ftrl", alpha: 0.1, beta: 1, l1: 1, l2: 1 };
 * ```
 */
export interface FtrlSettings {
  readonly kind: "ftrl";
  /** α: the scale of the per-coordinate rate α/(β + √nᵢ). */
  readonly alpha: number;
  /** β: smooths the rate while nᵢ is small (the paper: "β = 1 is usually good enough"). */
  readonly beta: number;
  /** λ₁ (L1, for the whole stream): makes exact zeros. */
  readonly l1: number;
  /** λ₂ (L2, for the whole stream). */
  readonly l2: number;
}

/**
 * Diagonal AdaGrad with an elastic-net penalty as composite mirror descent (Duchi, Hazan and Singer,
 * JMLR 2011, eq. 27): Gᵢ += gᵢ², u = wᵢ − η gᵢ / (ε + √Gᵢ), wᵢ = sign(u)·max(0, |u| − η λ₁ / (ε + √Gᵢ)).
 * gᵢ includes λ₂·wᵢ. λ₁ and λ₂ are per sample (the objective's mean loss + λ₁‖w‖₁ + (λ₂/2)‖w‖²).
 *
 * @example
 * ```ts
 * const adagrad: AdaGradSettings = { kind: "adagrad", eta: 0.1, epsilon: 1e-8, l1: 1e-5, l2: 1e-5 };
 * ```
 */
export interface AdaGradSettings {
  readonly kind: "adagrad";
  readonly eta: number;
  readonly epsilon: number;
  readonly l1: number;
  readonly l2: number;
}

/**
 * Plain SGD with scikit-learn's elastic net (`_plain_sgd`): a constant rate η (what
 * `learning_rate="adaptive"` amounts to under `partial_fit`), L2 as a multiplicative shrink
 * wᵢ ← wᵢ(1 − η λ₂), and L1 as Tsuruoka, Tsujii and Ananiadou's cumulative penalty (ACL 2009), with
 * the ledger u and qᵢ kept in the model (scikit-learn rebuilds it on every `partial_fit` call).
 *
 * @example
 * ```ts
 * const sgd: SgdSettings = { kind: "sgd", eta: 0.01, l1: 1.5e-5, l2: 8.5e-5 };
 * ```
 */
export interface SgdSettings {
  readonly kind: "sgd";
  readonly eta: number;
  readonly l1: number;
  readonly l2: number;
}

/**
 * One of the three optimizers.
 *
 * @example
 * ```ts
 * const settings: OptimizerSettings = defaultOptimizer("ftrl");
 * ```
 */
export type OptimizerSettings = FtrlSettings | AdaGradSettings | SgdSettings;

/** The optimizer names the CLI accepts. */
export const optimizerKinds = ["ftrl", "adagrad", "sgd"] as const;

/** One of {@link optimizerKinds}. */
export type OptimizerKind = (typeof optimizerKinds)[number];

/**
 * The defaults, the same for every data set (docs/learning.md says how they were chosen).
 *
 * @example
 * ```ts
 * defaultOptimizer("sgd").eta; // 0.01
 * ```
 */
export function defaultOptimizer(kind: OptimizerKind): OptimizerSettings {
  switch (kind) {
    case "ftrl":
      return { ...DEFAULT_FTRL };
    case "adagrad":
      return { ...DEFAULT_ADAGRAD };
    case "sgd":
      return { ...DEFAULT_SGD };
  }
}

/** FTRL defaults: see docs/learning.md ("Defaults"). */
export const DEFAULT_FTRL: FtrlSettings = { kind: "ftrl", alpha: 0.1, beta: 1, l1: 1, l2: 1 };
/** AdaGrad defaults: see docs/learning.md ("Defaults"). */
export const DEFAULT_ADAGRAD: AdaGradSettings = {
  kind: "adagrad",
  eta: 0.1,
  epsilon: 1e-8,
  l1: 1e-5,
  l2: 1e-5,
};
/** SGD defaults: scikit-learn's alpha = 1e-4, l1_ratio = 0.15 and eta0 = 0.01. */
export const DEFAULT_SGD: SgdSettings = { kind: "sgd", eta: 0.01, l1: 1.5e-5, l2: 8.5e-5 };

/**
 * Splits an elastic-net strength and mix (scikit-learn's `alpha` and `l1_ratio`) into λ₁ and λ₂ and
 * returns the optimizer with them.
 *
 * @example
 * ```ts
 * withElasticNet(defaultOptimizer("sgd"), 1e-4, 0.15); // l1 = 1.5e-5, l2 = 8.5e-5
 * ```
 */
export function withElasticNet(
  settings: OptimizerSettings,
  alpha: number,
  l1Ratio: number,
): OptimizerSettings {
  return { ...settings, l1: alpha * l1Ratio, l2: alpha * (1 - l1Ratio) };
}

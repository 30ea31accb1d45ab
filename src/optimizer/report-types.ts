import type { ProductionSection } from "./production.js";
/**
 * The optimization report: the JSON contract of `tiktoktoe optimize --format json` (snake_case, as
 * every other report the tool writes), also what the table and markdown renderers read.
 */

/**
 * Latency percentiles at one batch size, in milliseconds per `run()` (the whole batch).
 *
 * @example
 * ```ts
 * const l: LatencyEntry = { p50: 0.03, p95: 0.05, p99: 0.08, mean: 0.035, runs: 150 };
 * ```
 */
export interface LatencyEntry {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly runs: number;
}

/**
 * The metric's drop against the baseline over the folds: per-fold drops, their mean (`accuracy_drop`
 * of the entry), sample std, the two-sided interval and the one-sided upper bound acceptance checks.
 *
 * @example
 * ```ts
 * const ci: DropInterval = { confidence: 0.95, per_fold: [0, 0.003], std: 0.002, lower: -0.01, upper: 0.02, upper_one_sided: 0.012 };
 * ```
 */
export interface DropInterval {
  readonly confidence: number;
  readonly per_fold: readonly number[];
  readonly std: number;
  readonly lower: number;
  readonly upper: number;
  readonly upper_one_sided: number;
}

/**
 * The baseline's row of the report.
 *
 * @example
 * ```ts
 * report.baseline.accuracy; // 0.981 (mean over all rows)
 * ```
 */
export interface BaselineEntry {
  readonly technique: "baseline";
  /** The model file as given. */
  readonly path: string;
  /** The task's metric over all rows: accuracy (classification) or MAE (regression). */
  readonly accuracy: number;
  /** The metric per fold. */
  readonly accuracy_per_fold: readonly number[];
  readonly accuracy_drop: 0;
  /** Keyed `batch_1`, `batch_64` (one key per measured batch size). */
  readonly latency_ms: Readonly<Record<string, LatencyEntry>>;
  readonly speedup: 1;
  readonly size_bytes: number;
  /** The weighted objective's value (not ranked: the baseline is what candidates are compared with). */
  readonly score: number;
}

/**
 * One candidate's row: cross-validated metric and drop, latency, size, the verdict with every failed
 * rule, and the objective's score (0 when rejected).
 *
 * @example
 * ```ts
 * candidate.reasons; // ["latency improvement 3.1% < required 20.0%"]
 * ```
 */
export interface CandidateEntry {
  /** Unique within the report, e.g. `quantize`, `quantize#2`. */
  readonly id: string;
  readonly technique: string;
  readonly label: string;
  /** The ONNX file written (produced from all rows), or null when no --out was given. */
  readonly path: string | null;
  /** The metric over all rows, each row predicted by the candidate built without its fold. */
  readonly accuracy: number;
  readonly accuracy_per_fold: readonly number[];
  /** Mean per-fold drop (classification: acc_base − acc_cand; regression: (MAE_cand − MAE_base)/MAE_base). */
  readonly accuracy_drop: number;
  readonly accuracy_drop_ci: DropInterval | null;
  readonly latency_ms: Readonly<Record<string, LatencyEntry>>;
  /** Baseline p50 / candidate p50 at batch 1 (`speedup_by_batch` for every batch size). */
  readonly speedup: number;
  readonly speedup_by_batch: Readonly<Record<string, number>>;
  readonly size_bytes: number;
  readonly accepted: boolean;
  /** Every failed rule and by how much; empty when accepted. */
  readonly reasons: readonly string[];
  readonly score: number;
  /** The objective's terms before the acceptance gate. */
  readonly score_terms: {
    readonly accuracy: number;
    readonly latency: number;
    readonly resource: number;
    readonly unranked: number;
  };
  /** Agreement of the final candidate's outputs with the baseline's on all rows (reported, not gated). */
  readonly agreement: {
    readonly relative_rmse: number;
    readonly max_abs_error: number;
    readonly top1: number | null;
  };
  readonly notes: readonly string[];
  readonly parameters: Readonly<Record<string, unknown>>;
}

/**
 * The whole report.
 *
 * @example
 * ```ts
 * const report: OptimizationReport = await runOptimization(run);
 * report.chosen; // "out/prune-structured.onnx" or null
 * ```
 */
export interface OptimizationReport {
  /** A served version (`optimize --server`): production against the objectives; the report opens with it. */
  readonly production?: ProductionSection;
  readonly model: string;
  readonly data: string;
  readonly rows: number;
  readonly task: "classification" | "regression";
  /** `accuracy` (higher is better) or `mae` (lower is better); the `accuracy` fields hold it. */
  readonly metric: "accuracy" | "mae";
  readonly input: { readonly name: string; readonly shape: readonly number[]; readonly features: number };
  readonly output: string;
  readonly folds: number;
  readonly seed: number;
  readonly cpu: { readonly description: string; readonly int8: string };
  readonly latency_settings: {
    readonly threads: number;
    readonly warmups: number;
    readonly rounds: number;
    readonly runs_per_round: number;
    readonly batch_sizes: readonly number[];
    readonly statistic: string;
  };
  readonly acceptance: {
    readonly accuracy_drop_limit: number;
    readonly drop: string;
    readonly latency_improvement: number;
    readonly require_upper_bound: boolean;
  };
  readonly objective: {
    readonly accuracy_target: number;
    readonly accuracy_weight: number;
    readonly latency_target_ms: number;
    readonly latency_weight: number;
    readonly resource_weight: number;
  };
  readonly baseline: BaselineEntry;
  /** Ranked: accepted by descending score, then rejected. */
  readonly candidates: readonly CandidateEntry[];
  /** Techniques that produced nothing, with why (not applicable, not in this build, failed). */
  readonly skipped: readonly { readonly technique: string; readonly reason: string }[];
  /** The best accepted candidate's path (its id when nothing was written), or null. */
  readonly chosen: string | null;
  readonly chosen_id: string | null;
}

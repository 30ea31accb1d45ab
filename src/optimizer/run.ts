import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isTikTokToeError } from "../errors/index.js";
import type { CpuFeatures, OnnxModel } from "../onnx/index.js";
import { describeCpu } from "../onnx/index.js";
import {
  type AcceptanceRules,
  acceptCandidate,
  compareOutputs,
  DEFAULT_ACCEPTANCE,
  DEFAULT_OBJECTIVE,
  dropInterval,
  kFold,
  type LatencySummary,
  type Objective,
  objectiveScore,
  rankCandidates,
  stratifiedKFold,
} from "../optimize/index.js";
import { predictRows, rowScores, selectRows } from "./evaluate.js";
import { DEFAULT_LATENCY, type LatencyOptions, type LatencyTable, measureLatency } from "./latency.js";
import type { CandidateEntry, LatencyEntry, OptimizationReport } from "./report-types.js";
import type { ModelSignature } from "./signature.js";
import type { Candidate, OptimizationData, Technique } from "./technique.js";

/**
 * Everything one optimization run needs. Adapters are injectable (`measure`) so tests can pin
 * latency; the defaults measure with onnxruntime-node.
 *
 * @example
 * ```ts
 * const run: OptimizationRun = { model, bytes, modelPath: "m.onnx", dataPath: "d.csv", data, signature, techniques: [quantize] };
 * ```
 */
export interface OptimizationRun {
  readonly model: OnnxModel;
  readonly bytes: Uint8Array;
  readonly modelPath: string;
  readonly dataPath: string;
  readonly data: OptimizationData;
  readonly signature: ModelSignature;
  readonly techniques: readonly Technique[];
  /** Techniques asked for but not run (e.g. not in this build), reported as skipped. */
  readonly unavailable?: readonly { readonly technique: string; readonly reason: string }[];
  /** Default 5. */
  readonly folds?: number;
  /** Default 42. */
  readonly seed?: number;
  readonly acceptance?: AcceptanceRules;
  readonly objective?: Objective;
  readonly latency?: LatencyOptions;
  /** Where candidates are written (`<id>.onnx`); nothing is written without it. */
  readonly outDir?: string;
  readonly cpu?: CpuFeatures;
  /** Replaces the onnxruntime measurement (tests). */
  readonly measure?: (
    models: readonly { readonly id: string; readonly bytes: Uint8Array }[],
    options: LatencyOptions,
  ) => Promise<LatencyTable>;
  readonly progress?: (step: string, done: number, total: number) => void;
}

interface Tracked {
  readonly id: string;
  readonly technique: string;
  /** Occurrence of this technique name among the technique's candidates (matches folds to the final run). */
  readonly index: number;
  readonly final: Candidate;
  /** Per-row score from the candidate built without the row's fold; NaN until evaluated. */
  readonly scores: Float64Array;
  readonly missingFolds: number[];
}

/**
 * Runs every technique on all rows (the candidates written to `outDir`) and once per fold on the
 * fold's training rows (the candidate evaluated on the held-out rows), measures latency of the
 * baseline and the final candidates, applies the acceptance rules and ranks by the weighted
 * objective. A report is always produced: a technique that fails or produces nothing is listed in
 * `skipped` with its reason; nothing accepted gives `chosen: null`.
 *
 * @example
 * ```ts
 * const report = await runOptimization({ model, bytes, modelPath, dataPath, data, signature, techniques, outDir: "out" });
 * console.log(report.chosen);
 * ```
 */
export async function runOptimization(run: OptimizationRun): Promise<OptimizationReport> {
  const k = run.folds ?? 5;
  const seed = run.seed ?? 42;
  const acceptance = run.acceptance ?? DEFAULT_ACCEPTANCE;
  const objective = run.objective ?? DEFAULT_OBJECTIVE;
  const latencyOptions = run.latency ?? DEFAULT_LATENCY;
  const { data, signature } = run;
  const progress = run.progress ?? (() => {});
  const folds =
    data.task === "classification"
      ? stratifiedKFold(data.labels, { k, seed })
      : kFold(data.rows, { k, seed });
  const foldRows = Array.from({ length: k }, () => [] as number[]);
  for (let r = 0; r < folds.length; r++) foldRows[folds[r]!]!.push(r);

  const baselineOut = await predictRows(run.bytes, signature, data, { threads: latencyOptions.threads });
  const baselineScores = rowScores(baselineOut.values, baselineOut.width, data.labels, data.task);

  const skipped: { technique: string; reason: string }[] = [...(run.unavailable ?? [])];
  const tracked: Tracked[] = [];
  const steps = run.techniques.length * (k + 1);
  let step = 0;
  const context = (train: OptimizationData) => ({
    model: run.model,
    bytes: run.bytes,
    train,
    input: { name: signature.input.name, shape: signature.input.shape },
    output: signature.output.name,
    seed,
    progress: (label: string, done: number, total: number) => progress(label, done, total),
  });

  for (const technique of run.techniques) {
    progress(`${technique.name}: all rows`, step, steps);
    const result = await runTechnique(technique, context(data));
    step += 1;
    if ("error" in result) {
      skipped.push({ technique: technique.name, reason: result.error });
      step += k;
      continue;
    }
    for (const reason of result.skipped) skipped.push({ technique: technique.name, reason });
    if (result.candidates.length === 0) {
      if (result.skipped.length === 0)
        skipped.push({ technique: technique.name, reason: "produced no candidate" });
      step += k;
      continue;
    }
    const mine: Tracked[] = [];
    const seen = new Map<string, number>();
    for (const candidate of result.candidates) {
      const index = seen.get(candidate.technique) ?? 0;
      seen.set(candidate.technique, index + 1);
      const base = index === 0 ? candidate.technique : `${candidate.technique}#${index + 1}`;
      let id = base;
      for (let n = 2; tracked.some((t) => t.id === id); n++) id = `${base}-${n}`;
      const entry: Tracked = {
        id,
        technique: candidate.technique,
        index,
        final: candidate,
        scores: new Float64Array(data.rows).fill(Number.NaN),
        missingFolds: [],
      };
      tracked.push(entry);
      mine.push(entry);
    }
    for (let f = 0; f < k; f++) {
      progress(`${technique.name}: fold ${f + 1}/${k}`, step, steps);
      const held = foldRows[f]!;
      const inFold = new Uint8Array(data.rows);
      for (const r of held) inFold[r] = 1;
      const trainRows: number[] = [];
      for (let r = 0; r < data.rows; r++) if (inFold[r] === 0) trainRows.push(r);
      const foldResult = await runTechnique(technique, context(selectRows(data, trainRows)));
      step += 1;
      const produced = "error" in foldResult ? [] : foldResult.candidates;
      const test = selectRows(data, held);
      const counts = new Map<string, number>();
      const byKey = new Map<string, Candidate>();
      for (const c of produced) {
        const i = counts.get(c.technique) ?? 0;
        counts.set(c.technique, i + 1);
        byKey.set(`${c.technique}\u0000${i}`, c);
      }
      for (const entry of mine) {
        const candidate = byKey.get(`${entry.technique}\u0000${entry.index}`);
        if (candidate === undefined) {
          entry.missingFolds.push(f);
          continue;
        }
        const out = await predictRows(candidate.bytes, signature, test, { threads: latencyOptions.threads });
        const scores = rowScores(out.values, out.width, test.labels, data.task);
        held.forEach((r, i) => {
          entry.scores[r] = scores[i]!;
        });
      }
    }
  }
  progress("measuring latency", step, steps);

  const measure =
    run.measure ??
    ((models, options) =>
      measureLatency(models, signature, data.x, data.rows, options, (d, t) =>
        progress("measuring latency", d, t),
      ));
  const latency = await measure(
    [{ id: "baseline", bytes: run.bytes }, ...tracked.map((t) => ({ id: t.id, bytes: t.final.bytes }))],
    latencyOptions,
  );
  const baseLatency = latency.get("baseline")!;
  const batch1 = latencyOptions.batchSizes[0] ?? 1;
  const metricOf = (scores: Float64Array, rows: readonly number[]) => {
    let sum = 0;
    for (const r of rows) sum += scores[r]!;
    return rows.length === 0 ? Number.NaN : sum / rows.length;
  };
  const allRows = Array.from({ length: data.rows }, (_, r) => r);
  const baselineMetric = metricOf(baselineScores, allRows);
  const baselinePerFold = foldRows.map((rows) => metricOf(baselineScores, rows));
  const regression = data.task === "regression";
  // Regression's MAE is lower-is-better and has units: its "drop" is the relative rise in MAE, so
  // the seed's limit 0.01 means "at most 1% worse", as INC's relative criterion for lower-is-better.
  const foldDrop = (base: number, cand: number) => (regression ? (cand - base) / base : base - cand);
  const accuracyForObjective = (metric: number) =>
    regression ? objective.accuracyTarget * Math.min(1, baselineMetric / metric) : metric;

  const baseP95 = baseLatency.get(batch1)!.p95;
  const evidence = [] as {
    entry: Omit<CandidateEntry, "score" | "accepted" | "reasons" | "path">;
    accepted: boolean;
    reasons: string[];
    p95: number;
  }[];
  for (const t of tracked) {
    const candLatency = latency.get(t.id)!;
    const evaluatedFolds = foldRows.map((_, f) => f).filter((f) => !t.missingFolds.includes(f));
    const perFold = foldRows.map((rows, f) =>
      t.missingFolds.includes(f) ? Number.NaN : metricOf(t.scores, rows),
    );
    const drops = Float64Array.from(evaluatedFolds.map((f) => foldDrop(baselinePerFold[f]!, perFold[f]!)));
    const interval = drops.length >= 2 ? dropInterval(drops, 0.95) : undefined;
    const evaluatedRows = allRows.filter((r) => !Number.isNaN(t.scores[r]!));
    const metric = metricOf(t.scores, evaluatedRows);
    const meanDrop = interval?.meanDrop ?? (drops.length === 1 ? drops[0]! : Number.NaN);
    const decision = acceptCandidate(
      {
        accuracyDrop: {
          mean: meanDrop,
          ...(interval === undefined
            ? {}
            : { upperBound: interval.upperOneSided, confidence: interval.confidence }),
        },
        latency: { baselineMs: baseLatency.get(batch1)!.p50, candidateMs: candLatency.get(batch1)!.p50 },
        ...(t.final.correctness === undefined
          ? {}
          : { agreement: { agrees: t.final.correctness.ok, reasons: t.final.correctness.reasons } }),
      },
      acceptance,
    );
    const reasons = decision.rejections.map((r) =>
      regression ? r.message.replace(/^accuracy drop/, "relative MAE rise") : r.message,
    );
    if (t.missingFolds.length > 0)
      reasons.push(
        `not produced on fold${t.missingFolds.length === 1 ? "" : "s"} ${t.missingFolds.map((f) => f + 1).join(", ")} of ${k}: its drop is not cross-validated`,
      );
    const finalOut = await predictRows(t.final.bytes, signature, data, { threads: latencyOptions.threads });
    const agreement =
      finalOut.values.length === baselineOut.values.length
        ? compareOutputs(
            baselineOut.values,
            finalOut.values,
            data.task === "classification" ? { classes: baselineOut.width } : {},
          )
        : undefined;
    const terms = objectiveScore(
      {
        accuracy: accuracyForObjective(metric),
        p95Ms: candLatency.get(batch1)!.p95,
        resourceBytes: t.final.bytes.length,
        baselineResourceBytes: run.bytes.length,
      },
      objective,
    );
    const speedups: Record<string, number> = {};
    for (const b of latencyOptions.batchSizes)
      speedups[`batch_${b}`] = baseLatency.get(b)!.p50 / candLatency.get(b)!.p50;
    evidence.push({
      entry: {
        id: t.id,
        technique: t.technique,
        label: t.final.label,
        accuracy: metric,
        accuracy_per_fold: perFold,
        accuracy_drop: meanDrop,
        accuracy_drop_ci:
          interval === undefined
            ? null
            : {
                confidence: interval.confidence,
                per_fold: [...interval.drops],
                std: interval.std,
                lower: interval.lower,
                upper: interval.upper,
                upper_one_sided: interval.upperOneSided,
              },
        latency_ms: latencyEntries(candLatency),
        speedup: speedups[`batch_${batch1}`]!,
        speedup_by_batch: speedups,
        size_bytes: t.final.bytes.length,
        score_terms: {
          accuracy: terms.accuracy,
          latency: terms.latency,
          resource: terms.resource,
          unranked: terms.score,
        },
        agreement: {
          relative_rmse: agreement?.relativeRmse ?? Number.NaN,
          max_abs_error: agreement?.maxAbsError ?? Number.NaN,
          top1: agreement?.top1Agreement ?? null,
        },
        notes: t.final.notes,
        parameters: t.final.parameters,
      },
      accepted: reasons.length === 0,
      reasons,
      p95: candLatency.get(batch1)!.p95,
    });
  }

  const ranked = rankCandidates(
    evidence.map((e) => ({
      id: e.entry.id,
      accepted: e.accepted,
      inputs: {
        accuracy: accuracyForObjective(e.entry.accuracy),
        p95Ms: e.p95,
        resourceBytes: e.entry.size_bytes,
        baselineResourceBytes: run.bytes.length,
      },
    })),
    objective,
  );
  if (run.outDir !== undefined && tracked.length > 0) await mkdir(run.outDir, { recursive: true });
  const candidates: CandidateEntry[] = [];
  for (const r of ranked) {
    const e = evidence.find((x) => x.entry.id === r.id)!;
    const t = tracked.find((x) => x.id === r.id)!;
    let path: string | null = null;
    if (run.outDir !== undefined) {
      path = join(run.outDir, `${fileName(r.id)}.onnx`);
      await writeFile(path, t.final.bytes);
    }
    candidates.push({ ...e.entry, path, accepted: e.accepted, reasons: e.reasons, score: r.score });
  }
  const best = candidates[0]?.accepted === true ? candidates[0] : undefined;
  const baseTerms = objectiveScore(
    {
      accuracy: accuracyForObjective(baselineMetric),
      p95Ms: baseP95,
      resourceBytes: run.bytes.length,
      baselineResourceBytes: run.bytes.length,
    },
    objective,
  );
  progress("done", steps, steps);
  return {
    model: run.modelPath,
    data: run.dataPath,
    rows: data.rows,
    task: data.task,
    metric: regression ? "mae" : "accuracy",
    input: { name: signature.input.name, shape: signature.input.shape, features: signature.input.width },
    output: signature.output.name,
    folds: k,
    seed,
    cpu: {
      description: run.cpu === undefined ? "not read" : run.cpu.model,
      int8: run.cpu === undefined ? "not read" : describeCpu(run.cpu),
    },
    latency_settings: {
      threads: latencyOptions.threads,
      warmups: latencyOptions.warmups,
      rounds: latencyOptions.rounds,
      runs_per_round: latencyOptions.runsPerRound,
      batch_sizes: latencyOptions.batchSizes,
      statistic: `acceptance compares p50 at batch ${batch1}; the objective uses p95 at batch ${batch1}`,
    },
    acceptance: {
      accuracy_drop_limit: acceptance.accuracyDropLimit,
      drop: regression
        ? "relative MAE rise (MAE_cand − MAE_base) / MAE_base per fold"
        : "absolute: accuracy_base − accuracy_cand per fold",
      latency_improvement: acceptance.latencyImprovement,
      require_upper_bound: acceptance.requireUpperBound ?? true,
    },
    objective: {
      accuracy_target: objective.accuracyTarget,
      accuracy_weight: objective.accuracyWeight,
      latency_target_ms: objective.latencyTargetMs,
      latency_weight: objective.latencyWeight,
      resource_weight: objective.resourceWeight,
    },
    baseline: {
      technique: "baseline",
      path: run.modelPath,
      accuracy: baselineMetric,
      accuracy_per_fold: baselinePerFold,
      accuracy_drop: 0,
      latency_ms: latencyEntries(baseLatency),
      speedup: 1,
      size_bytes: run.bytes.length,
      score: baseTerms.score,
    },
    candidates,
    skipped,
    chosen: best === undefined ? null : (best.path ?? best.id),
    chosen_id: best?.id ?? null,
  };
}

type TechniqueResult = { candidates: Candidate[]; skipped: string[] } | { error: string };

/** A technique that throws is reported, never a crash of the run (the report is always produced). */
async function runTechnique(
  technique: Technique,
  context: Parameters<Technique["run"]>[0],
): Promise<TechniqueResult> {
  try {
    return await technique.run(context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      error: isTikTokToeError(error)
        ? `failed: ${error.code}: ${message}`
        : `failed with an internal error (please report it): ${message}`,
    };
  }
}

function latencyEntries(table: ReadonlyMap<number, LatencySummary>): Record<string, LatencyEntry> {
  const out: Record<string, LatencyEntry> = {};
  for (const [batch, s] of table)
    out[`batch_${batch}`] = { p50: s.p50, p95: s.p95, p99: s.p99, mean: s.mean, runs: s.runs };
  return out;
}

function fileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._+-]/g, "_");
}

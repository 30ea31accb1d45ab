/**
 * The quantization technique (issue #13): static int8 in QDQ form, calibrated on training rows,
 * checked fused-vs-fp32 before its accuracy counts. The graph maths is `optimize/qdq.ts`; this file
 * does the I/O around it: CPU flags, onnxruntime sessions for calibration and the agreement check.
 */

import {
  type CpuFeatures,
  chooseInt8Format,
  collectActivations,
  describeCpu,
  encodeModel,
  type Feeds,
  openSession,
  readCpuFeatures,
} from "../onnx/index.js";
import {
  type AgreementLimits,
  agreementVerdict,
  type Calibrator,
  compareOutputs,
  describeQdqFormat,
  EntropyCalibrator,
  formatNumber,
  formatRange,
  heldMetricDrop,
  MinMaxCalibrator,
  PercentileCalibrator,
  planQdq,
  type QdqFormat,
  qdqNodeKey,
  quantizeQdq,
  sensitivityOrder,
  type TensorRange,
} from "../optimize/index.js";
import { seededRandom } from "../stats/index.js";
import type { Candidate, OptimizationData, Technique, TechniqueContext } from "./technique.js";

/**
 * Options of {@link quantizeTechnique}.
 *
 * @example
 * ```ts
 * const options: QuantizeOptions = { calibration: "entropy", calibrationRows: 256 };
 * ```
 */
export interface QuantizeOptions {
  /**
   * `entropy`: TensorRT-style KL search over 2048 bins of |x| (docs/optimization.md §1); `minmax`:
   * global extremes; `percentile`: 99.999th percentile of |x| over 2048 bins.
   */
  readonly calibration: "entropy" | "minmax" | "percentile";
  /** Rows of `ctx.train` to calibrate on (a seeded sample). Default 256. */
  readonly calibrationRows?: number;
  /** Rows of `ctx.train` not used for calibration on which fused int8 is compared with fp32. Default 512. */
  readonly heldRows?: number;
  /** Rows per calibration run (memory is one batch of the calibrated tensors). Default 64. */
  readonly batchSize?: number;
  /** Overrides the CPU's choice (`chooseInt8Format`) field by field. */
  readonly format?: Partial<QdqFormat>;
  /**
   * Pins the range of named tensors instead of calibrating them (ORT's `TensorQuantOverrides`), e.g.
   * to reproduce a known-bad range.
   */
  readonly rangeOverrides?: Readonly<Record<string, TensorRange>>;
  /** Biases int32 (default, fusable) or left float32. */
  readonly bias?: "int32" | "float32";
  /** Limits of the fused-vs-fp32 agreement check; default relative RMSE ≤ 0.1, top-1 ≥ 99%. */
  readonly agreement?: AgreementLimits;
  /** The CPU to choose the format for; default this machine's (`/proc/cpuinfo`). */
  readonly cpu?: CpuFeatures;
  /**
   * The accuracy-aware fp32 fallback: when the int8 model fails the agreement check or loses more than
   * `maxDrop` of the metric on the held rows (accuracy, absolute; regression: relative MAE rise),
   * the layers most sensitive to quantization go back to fp32 one at a time until it passes (at least
   * one layer stays int8). Default `{ maxDrop: 0.01 }` (the seed's accuracy_drop_limit); `false`: off.
   */
  readonly fallback?: { readonly maxDrop?: number } | false;
}

const CALIBRATION_LABELS: Readonly<Record<QuantizeOptions["calibration"], string>> = {
  entropy:
    "entropy, TensorRT-style (2048 bins of |x|, candidates from bin 128, 128 levels over [−T, T] or 256 over [0, T] for non-negative tensors, KL minimum)",
  minmax: "min-max (global minimum and maximum)",
  percentile: "percentile 99.999 of |x| (2048 bins, clipped to the observed range)",
};

function makeCalibrator(kind: QuantizeOptions["calibration"]): Calibrator {
  if (kind === "entropy") return new EntropyCalibrator({ variant: "tensorrt", bins: 2048 });
  if (kind === "percentile") return new PercentileCalibrator({ percentile: 99.999, bins: 2048 });
  return new MinMaxCalibrator();
}

/** The rows of `data` at `indices`, shaped for the model input (batch first). */
function batchFeeds(
  data: OptimizationData,
  indices: readonly number[],
  input: TechniqueContext["input"],
): Feeds {
  const x = new Float32Array(indices.length * data.width);
  indices.forEach((row, i) => {
    x.set(data.x.subarray(row * data.width, (row + 1) * data.width), i * data.width);
  });
  return { [input.name]: { type: "float32", data: x, dims: [indices.length, ...input.shape.slice(1)] } };
}

function* batches(indices: readonly number[], size: number): Generator<number[]> {
  for (let i = 0; i < indices.length; i += size) yield indices.slice(i, i + size);
}

/** A seeded permutation of 0 … n−1 (Fisher–Yates). */
function permutation(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Runs a model on the rows in batches and returns `output`, concatenated. */
async function outputsOf(
  bytes: Uint8Array,
  context: TechniqueContext,
  rows: readonly number[],
  batchSize: number,
): Promise<Float32Array> {
  const session = await openSession(bytes, { graphOptimizationLevel: "all" });
  try {
    const parts: Float32Array[] = [];
    for (const batch of batches(rows, batchSize)) {
      const out = await session.run(batchFeeds(context.train, batch, context.input), [context.output]);
      parts.push(Float32Array.from(out[context.output]!.data as ArrayLike<number>));
    }
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return all;
  } finally {
    await session.release();
  }
}

/**
 * Static int8 quantization in QDQ form:
 * 1. the format from the CPU (`chooseInt8Format`: full-range U8S8 with VNNI, S8S8 on ARM dot product,
 *    U8S8 with 7-bit weights elsewhere), per-channel weights, overridable;
 * 2. the activation inputs of every Conv/Gemm/MatMul calibrated on `calibrationRows` seeded rows of
 *    `ctx.train`, streamed batch by batch through one calibrator per tensor (bounded memory);
 * 3. the QDQ model (`quantizeQdq`);
 * 4. the **fused-vs-fp32 agreement check**: the candidate at graph optimization `all` (the fused
 *    integer kernels serving uses) against the fp32 baseline on held-out training rows; its verdict is
 *    the candidate's `correctness`, so a saturating or badly clipped model is rejected whatever its
 *    accuracy.
 * Returns no candidate, with the reason, when nothing can be quantized.
 *
 * @example
 * ```ts
 * const technique = quantizeTechnique({ calibration: "entropy" });
 * const { candidates, skipped } = await technique.run(context);
 * candidates[0]?.correctness; // { ok: true, reasons: [] }
 * ```
 */
export function quantizeTechnique(options: QuantizeOptions): Technique {
  return {
    name: "quantize",
    run: (context) => runQuantize(context, options),
  };
}

async function runQuantize(
  context: TechniqueContext,
  options: QuantizeOptions,
): Promise<{ candidates: Candidate[]; skipped: string[] }> {
  const cpu = options.cpu ?? (await readCpuFeatures());
  const chosen = chooseInt8Format(cpu);
  const format: QdqFormat = {
    activations: chosen.activationType,
    weights: "int8",
    reduceRange: chosen.reduceRange,
    perChannel: true,
    ...options.format,
  };
  const plan = planQdq(context.model);
  if (plan.skipped !== undefined) return { candidates: [], skipped: [`quantize: ${plan.skipped}`] };
  if (plan.targets.length === 0)
    return { candidates: [], skipped: ["quantize: the model has no Conv, Gemm or MatMul to quantize"] };

  const data = context.train;
  const calibrationCount = Math.min(options.calibrationRows ?? 256, data.rows);
  const order = permutation(data.rows, context.seed);
  const calibrationRows = order.slice(0, calibrationCount);
  let heldRows = order.slice(calibrationCount, calibrationCount + (options.heldRows ?? 512));
  const notes: string[] = [];
  if (heldRows.length === 0) {
    heldRows = calibrationRows;
    notes.push("agreement checked on the calibration rows: no other training rows were left");
  }
  const batchSize = options.batchSize ?? 64;

  // One calibrator per activation tensor, and a min-max beside it to report what the choice clipped.
  const tensors = [
    ...new Set(
      plan.targets.flatMap((t) => [...t.activations, ...(t.output === undefined ? [] : [t.output])]),
    ),
  ];
  const calibrators = new Map(tensors.map((t) => [t, makeCalibrator(options.calibration)]));
  const extremes = new Map(tensors.map((t) => [t, new MinMaxCalibrator()]));
  const skippedTypes = new Set<string>();
  const update = (name: string, values: ArrayLike<number>) => {
    calibrators.get(name)!.update(values);
    extremes.get(name)!.update(values);
  };
  // Graph inputs are read from the feeds; only intermediate tensors are fetched as extra outputs.
  const graphInputs = new Set(context.model.graph?.input.map((v) => v.name ?? "") ?? []);
  const fetched = tensors.filter((t) => !graphInputs.has(t));
  const total = Math.ceil(calibrationRows.length / batchSize);
  const feedsOf = function* () {
    for (const batch of batches(calibrationRows, batchSize)) yield batchFeeds(data, batch, context.input);
  };
  let done = 0;
  const feeds = feedsOf();
  const withInputs = {
    *[Symbol.iterator]() {
      for (const f of feeds) {
        for (const [name, tensor] of Object.entries(f))
          if (calibrators.has(name)) update(name, tensor.data as Float32Array);
        yield f;
      }
    },
  };
  await collectActivations(context.model, fetched, withInputs, ({ values }) => {
    for (const [name, t] of Object.entries(values)) {
      if (t.type !== "float32") skippedTypes.add(name);
      else update(name, t.data as Float32Array);
    }
    done += 1;
    context.progress?.("calibrating", done, total);
  });

  const ranges = new Map<string, TensorRange>();
  for (const [name, c] of calibrators) {
    if (skippedTypes.has(name)) continue;
    // TensorRT's entropy range is symmetric [−T, T]; clipped to the observed extremes (as ORT clips every
    // histogram method's threshold), an asymmetric uint8 range does not spend steps on values never seen.
    const r = c.range();
    const seen = extremes.get(name)!.range();
    ranges.set(name, { min: Math.max(r.min, seen.min), max: Math.min(r.max, seen.max) });
  }
  for (const [name, r] of Object.entries(options.rangeOverrides ?? {})) ranges.set(name, r);

  const build = (keepFp32: ReadonlySet<string>) =>
    quantizeQdq(context.model, ranges, format, { ...(options.bias ? { bias: options.bias } : {}), keepFp32 });
  let result = build(new Set());
  if (result.quantized.length === 0)
    return { candidates: [], skipped: [`quantize: nothing was quantized (${result.notes.join("; ")})`] };
  let bytes = encodeModel(result.model);

  // Fused int8 (what serving runs) against fp32, on rows calibration did not see.
  let reference: Float32Array;
  let candidate: Float32Array;
  try {
    reference = await outputsOf(context.bytes, context, heldRows, batchSize);
    candidate = await outputsOf(bytes, context, heldRows, batchSize);
  } catch (error) {
    return {
      candidates: [],
      skipped: [`quantize: onnxruntime could not run the QDQ model: ${(error as Error).message}`],
    };
  }
  const classes =
    data.task === "classification" && data.classes > 1 && reference.length === heldRows.length * data.classes
      ? data.classes
      : undefined;
  const heldLabels = Float64Array.from(heldRows, (row) => data.labels[row]!);
  const metricComparable = classes !== undefined || reference.length === heldRows.length;
  const maxDrop = options.fallback === false ? Number.POSITIVE_INFINITY : (options.fallback?.maxDrop ?? 0.01);
  const metricName = classes === undefined ? "relative MAE rise" : "accuracy drop";
  /** The agreement check, and the held rows' metric drop the fallback also answers to. */
  const judge = (outputs: Float32Array) => {
    const agreement = compareOutputs(reference, outputs, classes === undefined ? {} : { classes });
    const verdict = agreementVerdict(agreement, options.agreement);
    const drop = metricComparable ? heldMetricDrop(reference, outputs, heldLabels, classes) : null;
    const failures = [...verdict.reasons];
    if (drop !== null && !(drop <= maxDrop))
      failures.push(`held-row ${metricName} ${formatNumber(drop)} > ${formatNumber(maxDrop)}`);
    return { agreement, verdict, drop, failures };
  };
  let judged = judge(candidate);
  const fp32Layers: string[] = [];
  const fallbackNotes: string[] = [];
  if (judged.failures.length > 0 && options.fallback !== false) {
    const fallback = await fp32Fallback(
      context,
      plan.targets.map((t) => qdqNodeKey(t.node)),
      {
        build,
        judge,
        reference,
        run: (model) => outputsOf(model, context, heldRows, batchSize),
      },
    );
    fallbackNotes.push(
      `fp32 fallback: the int8 model failed (${judged.failures.join("; ")})`,
      ...fallback.notes,
    );
    if (fallback.passed !== undefined) {
      ({ result, bytes, outputs: candidate } = fallback.passed);
      judged = judge(candidate);
      fp32Layers.push(...fallback.passed.kept);
    }
  }
  const { agreement, verdict } = judged;

  const layout = `${format.activations === "uint8" ? "U8" : "S8"}S8`;
  const overridden = options.format !== undefined && Object.keys(options.format).length > 0;
  notes.push(
    `CPU: ${describeCpu(cpu)}`,
    `format: ${describeQdqFormat(format)}${overridden ? " (overridden)" : `; ${chosen.reason}`}`,
    `calibration: ${CALIBRATION_LABELS[options.calibration]} on ${calibrationRows.length} training rows in batches of ${batchSize}`,
  );
  for (const name of tensors.slice(0, 3)) {
    const chosenRange = ranges.get(name);
    if (chosenRange === undefined) continue;
    const pinned = options.rangeOverrides?.[name] !== undefined ? " (pinned by rangeOverrides)" : "";
    notes.push(
      `range of ${name}: ${formatRange(chosenRange)}${pinned} vs min-max ${formatRange(extremes.get(name)!.range())}`,
    );
  }
  for (const name of skippedTypes) notes.push(`not calibrated: ${name} is not float32`);
  notes.push(...fallbackNotes);
  notes.push(...result.quantized.map((q) => `quantized: ${q}`), ...result.kept, ...result.notes);
  notes.push(
    `fused int8 (graph optimization "all") vs fp32 on ${heldRows.length} held rows: relative RMSE ${formatNumber(agreement.relativeRmse)}, max |error| ${formatNumber(agreement.maxAbsError)}` +
      (agreement.top1Agreement === null
        ? ""
        : `, top-1 agreement ${formatNumber(agreement.top1Agreement * 100)}%`),
  );
  const variant =
    options.calibration === "entropy"
      ? "entropy calibration (TensorRT-style, 2048 bins)"
      : `${options.calibration} calibration`;
  return {
    candidates: [
      {
        technique: "quantize",
        label: `int8 QDQ ${layout}${format.reduceRange ? " reduce_range" : ""}, ${variant}${fp32Layers.length === 0 ? "" : `, ${fp32Layers.length} layer${fp32Layers.length === 1 ? "" : "s"} kept fp32`}`,
        bytes,
        notes,
        parameters: {
          calibration: options.calibration,
          calibrationRows: calibrationRows.length,
          heldRows: heldRows.length,
          format,
          layout,
          bias: options.bias ?? "int32",
          cpu: describeCpu(cpu),
          relativeRmse: agreement.relativeRmse,
          top1Agreement: agreement.top1Agreement,
          heldMetricDrop: judged.drop,
          fp32Layers,
          ranges: Object.fromEntries([...ranges].map(([k, r]) => [k, [r.min, r.max]])),
        },
        correctness: { ok: verdict.agrees, reasons: verdict.reasons },
      },
    ],
    skipped: [],
  };
}

/**
 * The accuracy-aware fp32 fallback (see {@link QuantizeOptions.fallback}):
 * 1. sensitivity: each quantizable layer quantized **alone** (every other one fp32), its fused
 *    outputs' relative RMSE against fp32 on the held rows (NaN, the most suspect, if it does not run);
 * 2. greedy: the most sensitive layer back to fp32, then the next, re-checking the whole model each
 *    time, until it passes the agreement check and the held-row metric limit — with at least one layer
 *    still int8 (all fp32 is the baseline, not a candidate).
 * `passed` is undefined when no mix passed; the notes give the sensitivities and each step.
 */
async function fp32Fallback(
  context: TechniqueContext,
  keys: readonly string[],
  steps: {
    readonly build: (keepFp32: ReadonlySet<string>) => ReturnType<typeof quantizeQdq>;
    readonly judge: (outputs: Float32Array) => { failures: string[] };
    readonly reference: Float32Array;
    readonly run: (model: Uint8Array) => Promise<Float32Array>;
  },
): Promise<{
  notes: string[];
  passed?: {
    result: ReturnType<typeof quantizeQdq>;
    bytes: Uint8Array;
    outputs: Float32Array;
    kept: string[];
  };
}> {
  if (keys.length < 2)
    return {
      notes: ["fp32 fallback: one quantizable layer, so nothing can stay fp32 while the rest is int8"],
    };
  const sensitivities: { key: string; error: number }[] = [];
  for (const [i, key] of keys.entries()) {
    context.progress?.("fp32 fallback: layer sensitivity", i, keys.length);
    const alone = steps.build(new Set(keys.filter((k) => k !== key)));
    let error = Number.NaN;
    if (alone.quantized.length > 0)
      try {
        error = compareOutputs(steps.reference, await steps.run(encodeModel(alone.model))).relativeRmse;
      } catch {
        // A layer whose int8 form does not run is the most suspect: NaN sorts first.
      }
    sensitivities.push({ key, error });
  }
  const notes = [
    `fp32 fallback: sensitivity (relative RMSE with that layer alone int8): ${sensitivities
      .map((s) => `${s.key} ${Number.isNaN(s.error) ? "did not run" : formatNumber(s.error)}`)
      .join(", ")}`,
  ];
  const kept: string[] = [];
  for (const key of sensitivityOrder(sensitivities).slice(0, -1)) {
    kept.push(key);
    context.progress?.("fp32 fallback: greedy", kept.length, keys.length - 1);
    const result = steps.build(new Set(kept));
    if (result.quantized.length === 0) break;
    const bytes = encodeModel(result.model);
    let outputs: Float32Array;
    try {
      outputs = await steps.run(bytes);
    } catch (error) {
      notes.push(
        `fp32 fallback: with ${kept.join(", ")} in fp32 the model does not run: ${(error as Error).message}`,
      );
      continue;
    }
    const { failures } = steps.judge(outputs);
    if (failures.length === 0) {
      notes.push(`fp32 fallback: kept in fp32: ${kept.join(", ")}; the rest int8 passes`);
      return { notes, passed: { result, bytes, outputs, kept: [...kept] } };
    }
    notes.push(`fp32 fallback: with ${kept.join(", ")} in fp32 still failing (${failures.join("; ")})`);
  }
  notes.push("fp32 fallback: no mix with an int8 layer passed; the all-int8 candidate is reported as it is");
  return { notes };
}

import { readFileSync } from "node:fs";
import { type CpuFeatures, chooseInt8Format, decodeModel, describeCpu } from "../onnx/index.js";
import type { QdqFormat } from "../optimize/index.js";
import {
  type LatencyOptions,
  loadOptimizationData,
  measureLatency,
  modelSignature,
  quantizeTechnique,
} from "../optimizer/index.js";
import { repoPath } from "../testing/paths.js";

/**
 * S8S8 against U8S8 (activation type, then weight type), with full-range and 7-bit (`reduce_range`)
 * weights, on this CPU: the fused int8 model's agreement with fp32 and its latency against fp32 in
 * the same interleaved run. The measurement behind `chooseInt8Format`'s rule (research notes §1.3,
 * finding 3); part of `npm run bench -- optimize`.
 */

/** The four layouts measured. */
export const INT8_LAYOUTS: readonly { readonly name: string; readonly format: Partial<QdqFormat> }[] = [
  { name: "U8S8", format: { activations: "uint8", reduceRange: false } },
  { name: "U8S8 reduce_range", format: { activations: "uint8", reduceRange: true } },
  { name: "S8S8", format: { activations: "int8", reduceRange: false } },
  { name: "S8S8 reduce_range", format: { activations: "int8", reduceRange: true } },
];

/** One layout on one model. */
export interface LayoutResult {
  readonly model: string;
  readonly layout: string;
  readonly relativeRmse: number;
  readonly top1: number | null;
  /** p50 ms at batch 1 and 64, and fp32's in the same run. */
  readonly p50: { readonly b1: number; readonly b64: number };
  readonly fp32: { readonly b1: number; readonly b64: number };
  /** Whether `chooseInt8Format` picks this layout on this CPU. */
  readonly chosen: boolean;
}

/**
 * Quantizes each model in each layout (entropy calibration on 256 rows, no fp32 fallback, per-channel
 * weights), checks fused-vs-fp32 agreement on 512 held rows, and times fp32 and the four int8 models
 * interleaved (graph optimizations all, one thread).
 *
 * @example
 * ```ts
 * const results = await measureInt8Layouts(cpu, { threads: 1, warmups: 20, rounds: 5, runsPerRound: 100, batchSizes: [1, 64] });
 * ```
 */
export async function measureInt8Layouts(cpu: CpuFeatures, latency: LatencyOptions): Promise<LayoutResult[]> {
  const chosen = chooseInt8Format(cpu);
  const chosenName = `${chosen.activationType === "uint8" ? "U8S8" : "S8S8"}${chosen.reduceRange ? " reduce_range" : ""}`;
  const out: LayoutResult[] = [];
  for (const file of ["digits_mlp.onnx", "digits_cnn.onnx"]) {
    const bytes = new Uint8Array(readFileSync(repoPath("models", file)));
    const model = decodeModel(bytes);
    const signature = modelSignature(model);
    const data = await loadOptimizationData(repoPath("data", "digits", "digits.csv"), signature, {
      label: "target",
      inputScale: 1 / 16,
    });
    const context = {
      model,
      bytes,
      train: data,
      input: { name: signature.input.name, shape: signature.input.shape },
      output: signature.output.name,
      seed: 42,
    };
    const variants: { name: string; bytes: Uint8Array; rmse: number; top1: number | null }[] = [];
    for (const layout of INT8_LAYOUTS) {
      const { candidates } = await quantizeTechnique({
        calibration: "entropy",
        format: layout.format,
        fallback: false,
        cpu,
      }).run(context);
      const c = candidates[0]!;
      variants.push({
        name: layout.name,
        bytes: c.bytes,
        rmse: Number(c.parameters.relativeRmse),
        top1: (c.parameters.top1Agreement as number | null) ?? null,
      });
    }
    const table = await measureLatency(
      [{ id: "fp32", bytes }, ...variants.map((v) => ({ id: v.name, bytes: v.bytes }))],
      signature,
      data.x,
      data.rows,
      latency,
    );
    const p50 = (id: string, batch: number) => table.get(id)!.get(batch)!.p50;
    for (const v of variants)
      out.push({
        model: file,
        layout: v.name,
        relativeRmse: v.rmse,
        top1: v.top1,
        p50: { b1: p50(v.name, 1), b64: p50(v.name, 64) },
        fp32: { b1: p50("fp32", 1), b64: p50("fp32", 64) },
        chosen: v.name === chosenName,
      });
  }
  return out;
}

/**
 * The layouts as a markdown table (int8 / fp32 below 1 is faster).
 *
 * @example
 * ```ts
 * console.log(int8LayoutTable(results, cpu).join("\n"));
 * ```
 */
export function int8LayoutTable(results: readonly LayoutResult[], cpu: CpuFeatures): string[] {
  const f = (v: number) => (v < 1 ? v.toFixed(4) : v.toFixed(3));
  return [
    `int8 layouts on ${describeCpu(cpu)} (\`chooseInt8Format\`: ${chooseInt8Format(cpu).reason}):`,
    "",
    "| model | layout | fused vs fp32: rel. RMSE | top-1 | p50 ms b1 (fp32) | int8/fp32 b1 | p50 ms b64 (fp32) | int8/fp32 b64 | chosen here |",
    "|---|---|---|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.model} | ${r.layout} | ${r.relativeRmse.toFixed(4)} | ${r.top1 === null ? "n/a" : `${(r.top1 * 100).toFixed(1)}%`} | ${f(r.p50.b1)} (${f(r.fp32.b1)}) | ${(r.p50.b1 / r.fp32.b1).toFixed(2)} | ${f(r.p50.b64)} (${f(r.fp32.b64)}) | ${(r.p50.b64 / r.fp32.b64).toFixed(2)} | ${r.chosen ? "yes" : ""} |`,
    ),
  ];
}

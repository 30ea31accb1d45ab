import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import {
  decodeModel,
  describeCpu,
  getAttribute,
  readCpuFeatures,
  requireGraph,
  tensorToFloat32,
} from "../onnx/index.js";
import { type LatencySummary, summarizeLatency } from "../optimize/index.js";
import {
  DEFAULT_LATENCY,
  DEFAULT_TECHNIQUE_SETTINGS,
  type LatencyEntry,
  loadOptimizationData,
  modelSignature,
  resolveTechniques,
  runOptimization,
} from "../optimizer/index.js";
import { repoPath } from "../testing/paths.js";
import { int8LayoutTable, measureInt8Layouts } from "./int8-layout-bench.js";
import { machineLine } from "./machine.js";
import { writeBenchSection } from "./report-file.js";

const LATENCY = { ...DEFAULT_LATENCY, threads: 1, warmups: 20, rounds: 5, runsPerRound: 100 };

function cpuModel(): string {
  try {
    const line = execFileSync("lscpu", { encoding: "utf8" })
      .split("\n")
      .find((l) => l.startsWith("Model name:"));
    if (line !== undefined) return line.slice("Model name:".length).trim();
  } catch {
    // lscpu is util-linux; without it the machine line's CPU model stands alone.
  }
  return "unknown (no lscpu)";
}

interface TorchResult {
  readonly torch: string;
  readonly engine: string;
  readonly accuracy: { fp32: number; int8: number };
  readonly latency: Record<string, { fp32: number[]; int8: number[] }>;
}

/** The MLP's Gemm layers as [out, in] weights and biases, in graph order. */
function gemmLayers(bytes: Uint8Array): { in: number; out: number; weight: number[]; bias: number[] }[] {
  const graph = requireGraph(decodeModel(bytes));
  const init = new Map(graph.initializer.map((t) => [t.name ?? "", t]));
  return graph.node
    .filter((n) => n.opType === "Gemm")
    .map((n) => {
      const w = init.get(n.input[1] ?? "")!;
      const b = init.get(n.input[2] ?? "")!;
      const transposed = getAttribute(n, "transB")?.i === 1n;
      const values = tensorToFloat32(w);
      const [rows, cols] = [w.dims[0]!, w.dims[1]!];
      // PyTorch's Linear holds [out, in], which is Gemm's B when transB = 1; otherwise transpose.
      const weight = transposed
        ? [...values]
        : Array.from({ length: rows * cols }, (_, i) => values[(i % rows) * cols + Math.floor(i / rows)]!);
      return {
        in: transposed ? cols : rows,
        out: transposed ? rows : cols,
        weight,
        bias: [...tensorToFloat32(b)],
      };
    });
}

function runTorch(
  bytes: Uint8Array,
  x: Float32Array,
  labels: Float64Array,
): { kind: "ran"; result: TorchResult } | { kind: "skipped"; reason: string } {
  // Debian's interpreter: a python3 earlier on PATH (pyenv, a venv) may lack the package.
  const python = "/usr/bin/python3";
  if (!existsSync(python)) return { kind: "skipped", reason: "Debian's python3 is not installed" };
  if (spawnSync(python, ["-c", "import torch"]).status !== 0)
    return { kind: "skipped", reason: "python3-torch is not installed (apt-get install python3-torch)" };
  const request = {
    layers: gemmLayers(bytes),
    x: [...x],
    labels: [...labels],
    batch_sizes: LATENCY.batchSizes,
    warmups: LATENCY.warmups,
    rounds: LATENCY.rounds,
    runs: LATENCY.runsPerRound,
    threads: LATENCY.threads,
  };
  const run = spawnSync(python, [repoPath("tools", "bench", "torch_quantize.py")], {
    input: JSON.stringify(request),
    encoding: "utf8",
    maxBuffer: 256 * 2 ** 20,
  });
  if (run.status !== 0) return { kind: "skipped", reason: `torch_quantize.py failed: ${run.stderr.trim()}` };
  return { kind: "ran", result: JSON.parse(run.stdout) as TorchResult };
}

const ms = (v: number | undefined) => (v === undefined ? "n/a" : v < 1 ? v.toFixed(4) : v.toFixed(3));
const cells = (l: Pick<LatencySummary, "p50" | "p95" | "p99"> | LatencyEntry | undefined) =>
  l === undefined ? "n/a | n/a | n/a" : `${ms(l.p50)} | ${ms(l.p95)} | ${ms(l.p99)}`;

/**
 * `npm run bench -- optimize`: digits_mlp in fp32 against every candidate the built-in techniques
 * produce (cross-validated accuracy, onnxruntime-node latency at batch 1 and 64, one thread), and
 * PyTorch's dynamic int8 (`quantize_dynamic` on the same MLP built from the ONNX initializers, Debian's
 * python3-torch) in the same run; PyTorch is skipped with a message when python3-torch is absent.
 *
 * @example
 * ```ts
 * await runOptimizeBench();
 * ```
 */
export async function runOptimizeBench(): Promise<void> {
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
  const modelPath = repoPath("models", "digits_mlp.onnx");
  const dataPath = repoPath("data", "digits", "digits.csv");
  const bytes = new Uint8Array(readFileSync(modelPath));
  const model = decodeModel(bytes);
  const signature = modelSignature(model);
  const data = await loadOptimizationData(dataPath, signature, { label: "target", inputScale: 1 / 16 });
  const { techniques, unavailable } = resolveTechniques("all", DEFAULT_TECHNIQUE_SETTINGS);
  const cpu = await readCpuFeatures();
  console.log("optimize bench: int8 layouts (U8S8, S8S8, full range and reduce_range) …");
  const layouts = await measureInt8Layouts(cpu, LATENCY);
  console.log(`optimize bench: ${techniques.length} technique(s) built in, measuring …`);
  const report = await runOptimization({
    model,
    bytes,
    modelPath: "models/digits_mlp.onnx",
    dataPath: "data/digits/digits.csv",
    data,
    signature,
    techniques,
    unavailable,
    latency: LATENCY,
    cpu,
  });
  const torch = runTorch(bytes, data.x, data.labels);
  const loadAfter = loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

  const base = report.baseline;
  const rows = [
    "| engine, model | accuracy | p50 ms b1 | p95 ms b1 | p99 ms b1 | p50 ms b64 | p95 ms b64 | p99 ms b64 | speedup b1 / b64 (vs its fp32) | size | verdict |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    `| onnxruntime-node, fp32 baseline | ${base.accuracy.toFixed(4)} | ${cells(base.latency_ms.batch_1)} | ${cells(base.latency_ms.batch_64)} | 1.00× / 1.00× | ${base.size_bytes} B | |`,
    ...report.candidates.map(
      (c) =>
        `| onnxruntime-node, ${c.label} | ${c.accuracy.toFixed(4)} | ${cells(c.latency_ms.batch_1)} | ${cells(c.latency_ms.batch_64)} | ${(c.speedup_by_batch.batch_1 ?? Number.NaN).toFixed(2)}× / ${(c.speedup_by_batch.batch_64 ?? Number.NaN).toFixed(2)}× | ${c.size_bytes} B | ${c.accepted ? "accepted" : `rejected: ${c.reasons.join("; ")}`} |`,
    ),
  ];
  let torchLine: string;
  if (torch.kind === "ran") {
    const t = torch.result;
    const summary = (batch: number, kind: "fp32" | "int8") =>
      summarizeLatency(t.latency[String(batch)]![kind], { warmups: LATENCY.warmups, rounds: LATENCY.rounds });
    const fp = [summary(1, "fp32"), summary(64, "fp32")] as const;
    const q = [summary(1, "int8"), summary(64, "int8")] as const;
    rows.push(
      `| PyTorch ${t.torch} (${t.engine}), fp32 | ${t.accuracy.fp32.toFixed(4)} | ${cells(fp[0])} | ${cells(fp[1])} | 1.00× / 1.00× | | |`,
      `| PyTorch ${t.torch} (${t.engine}), quantize_dynamic int8 | ${t.accuracy.int8.toFixed(4)} | ${cells(q[0])} | ${cells(q[1])} | ${(fp[0].p50 / q[0].p50).toFixed(2)}× / ${(fp[1].p50 / q[1].p50).toFixed(2)}× | | |`,
    );
    torchLine = `PyTorch ${t.torch}: the same MLP built from the ONNX initializers (Linear + ReLU), and \`torch.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)\` of it; accuracy on all ${data.rows} rows (no folds: nothing is fitted); \`torch.set_num_threads(1)\`, the same warm-ups, rounds and runs, each sample one \`model(x)\` call under \`torch.no_grad()\`.`;
  } else torchLine = `PyTorch skipped: ${torch.reason}.`;
  const skipped = report.skipped.map((s) => `${s.technique} (${s.reason})`).join(", ");
  const body = [
    "## Optimization (issue #13): digits_mlp, fp32 against each candidate and PyTorch's dynamic int8",
    "",
    "Command: `npm run bench -- optimize`.",
    `Machine: ${machineLine()}; lscpu model: ${cpuModel()}; int8 features: ${describeCpu(cpu)}.`,
    `Load average before ${loadBefore}, after ${loadAfter}.`,
    "",
    `models/digits_mlp.onnx (64-512-512-10) on data/digits/digits.csv (pixels / 16, ${data.rows} rows). Our rows: the`,
    `optimizer's report — accuracy cross-validated (${report.folds} folds, seed ${report.seed}; each technique re-run per fold),`,
    `latency from onnxruntime-node (graph optimizations all, ${LATENCY.threads} intra-op thread), ${LATENCY.warmups} warm-ups, ${LATENCY.rounds} interleaved rounds ×`,
    `${LATENCY.runsPerRound} timed runs per model and batch size; a sample is one \`session.run()\` (the whole batch).`,
    torchLine,
    ...(skipped === "" ? [] : ["", `Techniques not measured: ${skipped}.`]),
    "",
    ...rows,
    "",
    "### int8 activation layouts on this CPU (S8S8 vs U8S8)",
    "",
    "Each layout quantized with entropy calibration (256 training rows, per-channel weights, no fp32 fallback), its fused",
    "graph (optimizations all) compared with fp32 on 512 held rows, and timed against fp32 in the same interleaved run",
    `(the settings above). \`chooseInt8Format\` decides from the CPU flags; this table is the measurement behind it.`,
    "",
    ...int8LayoutTable(layouts, cpu),
  ].join("\n");
  console.log(body);
  writeBenchSection("optimize", body);
}

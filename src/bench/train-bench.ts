import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { seededRandom } from "../stats/index.js";
import { repoPath } from "../testing/paths.js";
import { argmaxRows, createMlp, MlpTrainer, mlpPredict, stratifiedSplit } from "../train/index.js";
import { loadDigits, takeRows } from "./digits-data.js";
import { machineLine } from "./machine.js";
import { writeBenchSection } from "./report-file.js";

const EPOCHS = 20;
const BATCH = 32;
/** Rounds of (TypeScript runs, then PyTorch runs), interleaved so that a change in load hits both. */
const ROUNDS = 3;
const RUNS_PER_ROUND = 3;
/** The issue's target: the TypeScript trainer within 1.5× PyTorch's time. */
const TARGET = 1.5;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function cpuModel(): string {
  try {
    const line = execFileSync("lscpu", { encoding: "utf8" })
      .split("\n")
      .find((l) => l.startsWith("Model name:"));
    if (line !== undefined) return line.slice("Model name:".length).trim();
  } catch {
    // lscpu is util-linux; without it the machine line's CPU model (from os.cpus()) stands alone.
  }
  return "unknown (no lscpu)";
}

type PeerResult =
  | { kind: "ran"; version: string; runs: { seconds: number; accuracy: number }[] }
  | { kind: "skipped"; reason: string };

function runTorch(train: Int32Array, test: Int32Array): PeerResult {
  // Debian's interpreter: a python3 earlier on PATH (pyenv, a venv) may lack the package.
  const python = "/usr/bin/python3";
  if (!existsSync(python)) return { kind: "skipped", reason: "Debian's python3 is not installed" };
  if (spawnSync(python, ["-c", "import torch"]).status !== 0)
    return { kind: "skipped", reason: "python3-torch is not installed (apt-get install python3-torch)" };
  const request = {
    csv: repoPath("data", "digits", "digits.csv"),
    train: [...train],
    test: [...test],
    epochs: EPOCHS,
    batch: BATCH,
    runs: RUNS_PER_ROUND,
  };
  const run = spawnSync(python, [repoPath("tools", "bench", "torch_train.py")], {
    input: JSON.stringify(request),
    encoding: "utf8",
  });
  if (run.status !== 0) return { kind: "skipped", reason: `torch_train.py failed: ${run.stderr.trim()}` };
  const out = JSON.parse(run.stdout) as { torch: string; runs: { seconds: number; accuracy: number }[] };
  return { kind: "ran", version: out.torch, runs: out.runs };
}

/**
 * `npm run bench -- train`: 20 epochs of the 64-128-10 relu student on digits (pixels / 16, stratified
 * 70/30 split, seed 42), Adam η = 1e-3, batch 32, one thread, against PyTorch 1.13 (Debian's
 * python3-torch, `torch.set_num_threads(1)`) on the same rows in the same run; PyTorch is skipped
 * with a message when python3-torch is absent.
 *
 * @example
 * ```ts
 * await runTrainBench();
 * ```
 */
export async function runTrainBench(): Promise<void> {
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
  const digits = loadDigits();
  const split = stratifiedSplit(digits.labels, 0.3, 42);
  const xTrain = takeRows(digits.x, digits.features, split.train);
  const yTrain = takeRows(digits.labels, 1, split.train);
  const xTest = takeRows(digits.x, digits.features, split.test);
  const yTest = takeRows(digits.labels, 1, split.test);
  const data = { x: xTrain, rows: split.train.length, labels: yTrain };

  const ours: { seconds: number; accuracy: number }[] = [];
  const peer: { seconds: number; accuracy: number }[] = [];
  let torchVersion = "";
  let skipped: string | null = null;
  console.log(
    `train bench: ${ROUNDS} rounds of ${RUNS_PER_ROUND} TypeScript and ${RUNS_PER_ROUND} PyTorch runs …`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (let run = 0; run < RUNS_PER_ROUND; run++) {
      const mlp = createMlp(
        { sizes: [digits.features, 128, 10] },
        seededRandom(round * RUNS_PER_ROUND + run),
      );
      const trainer = new MlpTrainer(mlp, {
        loss: { kind: "cross-entropy" },
        optimizer: { kind: "adam", learningRate: 1e-3 },
        batchSize: BATCH,
        seed: run,
      });
      const started = performance.now();
      for (let e = 0; e < EPOCHS; e++) trainer.trainEpoch(data);
      const seconds = (performance.now() - started) / 1000;
      const predicted = argmaxRows(mlpPredict(mlp, xTest, split.test.length), split.test.length, 10);
      let correct = 0;
      for (let i = 0; i < predicted.length; i++) if (predicted[i] === yTest[i]) correct++;
      ours.push({ seconds, accuracy: correct / predicted.length });
    }
    if (skipped === null) {
      const result = runTorch(split.train, split.test);
      if (result.kind === "ran") {
        torchVersion = result.version;
        peer.push(...result.runs);
      } else skipped = result.reason;
    }
  }
  const loadAfter = loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

  const oursS = median(ours.map((r) => r.seconds));
  const oursAcc = median(ours.map((r) => r.accuracy));
  const rows = [
    "| engine | median time, 20 epochs | fastest | test accuracy (median) |",
    "|---|---|---|---|",
    `| TypeScript trainer (src/train/, float32 weights, float64 activations) | ${oursS.toFixed(3)} s | ${Math.min(...ours.map((r) => r.seconds)).toFixed(3)} s | ${oursAcc.toFixed(4)} |`,
  ];
  let verdict: string;
  if (skipped === null && peer.length > 0) {
    const torchS = median(peer.map((r) => r.seconds));
    const ratio = oursS / torchS;
    rows.push(
      `| PyTorch ${torchVersion}, 1 thread | ${torchS.toFixed(3)} s | ${Math.min(...peer.map((r) => r.seconds)).toFixed(3)} s | ${median(peer.map((r) => r.accuracy)).toFixed(4)} |`,
    );
    verdict = `Ratio TypeScript / PyTorch (medians): **${ratio.toFixed(2)}×** (target ≤ ${TARGET}×: ${ratio <= TARGET ? "met" : `missed by ${((ratio / TARGET - 1) * 100).toFixed(0)}%`}).`;
  } else verdict = `PyTorch skipped: ${skipped ?? "no runs"}.`;
  const body = [
    "## Training (issue #13): the 64-128-10 digits student",
    "",
    `Command: \`npm run bench -- train\`. Machine: ${machineLine()}; lscpu model: ${cpuModel()}.`,
    `Load average before ${loadBefore}, after ${loadAfter}.`,
    "",
    `${EPOCHS} epochs of a 64-128-10 relu MLP (identity logits, softmax cross-entropy) on data/digits/digits.csv`,
    `(pixels / 16, stratified 70/30 split with seed 42: ${split.train.length} training rows, ${split.test.length} test rows),`,
    `Adam (η = 1e-3), batch ${BATCH} (the last batch of an epoch shorter), one thread on both sides.`,
    `Each side: ${ROUNDS} rounds × ${RUNS_PER_ROUND} runs, the rounds interleaved; the time is the epochs only`,
    "(no start-up, imports or data loading); each run starts from a fresh model.",
    "",
    ...rows,
    "",
    verdict,
  ].join("\n");
  console.log(body);
  writeBenchSection("train", body);
}

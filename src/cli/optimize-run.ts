import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { TikTokToeError } from "../errors/index.js";
import { decodeModel, readCpuFeatures } from "../onnx/index.js";
import {
  DEFAULT_LATENCY,
  loadOptimizationData,
  modelSignature,
  type OptimizationReport,
  productionVsObjectives,
  renderOptimizationReport,
  type resolveTechniques,
  runOptimization,
} from "../optimizer/index.js";
import { type CliIo, exitCodes } from "./io.js";
import type { OptimizeInvocation } from "./optimize-args.js";
import { deployOptimized } from "./optimize-deploy.js";
import { downloadServedVersion, type ServedSource } from "./optimize-server.js";
import { ProgressBar } from "./progress.js";
import { writeFileAtomic } from "./write-output.js";

/**
 * `tiktoktoe optimize`'s run: the model and its labelled rows (files, or a served version downloaded
 * into a temporary folder) through the optimizer, the report written and printed, then `--deploy`.
 */

/**
 * Optimizes a served version (`--server URL --model NAME`): its files are downloaded into a temporary
 * folder, removed afterwards, and the report opens with production against the objectives.
 *
 * @example
 * ```ts
 * const code = await optimizeServed(invocation, invocation.served, techniques, unavailable, io);
 * ```
 */
export async function optimizeServed(
  invocation: OptimizeInvocation,
  served: ServedSource,
  techniques: ReturnType<typeof resolveTechniques>["techniques"],
  unavailable: ReturnType<typeof resolveTechniques>["unavailable"],
  io: CliIo,
): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "tiktoktoe-optimize-"));
  try {
    const files = await downloadServedVersion(served, dir);
    if (!invocation.quiet) for (const note of files.notes) io.stderr.write(`tiktoktoe optimize: ${note}\n`);
    const base = `${served.server}/v1/models/${encodeURIComponent(served.model)}`;
    return await optimizeFiles(
      {
        ...invocation,
        model: files.modelFile,
        data: files.dataFile,
        label: files.label,
        features: files.features,
      },
      techniques,
      unavailable,
      io,
      {
        modelName: `${base}/versions/${encodeURIComponent(files.version)}/model`,
        dataName: `${base}/versions/${encodeURIComponent(files.version)}/reference + ${base}/labelled?version=${encodeURIComponent(files.version)}`,
        optimizedFrom: `${served.model}/${files.version}`,
        production: (objective) =>
          productionVsObjectives({
            server: served.server,
            model: served.model,
            version: files.version,
            metric: files.record.task === "regression" ? "mae" : "accuracy",
            windows: files.windows,
            objective,
            data: files.data,
          }),
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** How a served version's run differs from a file's: its names in the report, and the production section. */
interface ServedRun {
  readonly modelName: string;
  readonly dataName: string;
  readonly optimizedFrom: string;
  readonly production: (
    objective: OptimizationReport["objective"],
  ) => NonNullable<OptimizationReport["production"]>;
}

/**
 * Optimizes a model file on a data file (or a served version's downloaded ones, named by `served`):
 * writes the candidates and the report under `--out`, prints the report, deploys when asked; the exit
 * code.
 *
 * @example
 * ```ts
 * const code = await optimizeFiles(invocation, techniques, unavailable, io);
 * ```
 */
export async function optimizeFiles(
  invocation: OptimizeInvocation,
  techniques: ReturnType<typeof resolveTechniques>["techniques"],
  unavailable: ReturnType<typeof resolveTechniques>["unavailable"],
  io: CliIo,
  served?: ServedRun,
): Promise<number> {
  const bytes = await readModel(invocation.model);
  const model = decodeModel(bytes);
  const signature = modelSignature(model, invocation.outputName);
  const bar = new ProgressBar(io.stderr, { enabled: !invocation.quiet, now: () => Date.now() });
  let report: OptimizationReport;
  try {
    const data = await loadOptimizationData(invocation.data, signature, {
      label: invocation.label,
      ...(invocation.features === undefined ? {} : { features: invocation.features }),
      inputScale: invocation.inputScale,
      task: invocation.task,
      onProgress: (done, total) => bar.update("reading", done, total),
    });
    if (data.rows < invocation.folds)
      throw new TikTokToeError(
        "USAGE",
        `${invocation.data} has ${data.rows} rows: too few for ${invocation.folds} folds`,
        { path: "--folds", hint: "give more rows or fewer --folds" },
      );
    report = await runOptimization({
      model,
      bytes,
      modelPath: served?.modelName ?? invocation.model,
      dataPath: served?.dataName ?? invocation.data,
      data,
      signature,
      techniques,
      unavailable,
      folds: invocation.folds,
      seed: invocation.seed,
      acceptance: {
        accuracyDropLimit: invocation.maxDrop,
        latencyImprovement: invocation.minImprovement,
        requireUpperBound: true,
      },
      latency: { ...DEFAULT_LATENCY, threads: invocation.threads, runsPerRound: invocation.runs },
      ...(invocation.out === undefined ? {} : { outDir: invocation.out }),
      cpu: await readCpuFeatures(),
      progress: (step, done, total) => bar.update(step, done, total),
    });
  } finally {
    bar.done();
  }
  // A served version's report opens with production against the objectives.
  if (served !== undefined) report = { production: served.production(report.objective), ...report };
  if (invocation.out !== undefined) {
    await mkdir(invocation.out, { recursive: true });
    await writeFileAtomic(join(invocation.out, "report.json"), renderOptimizationReport(report, "json"));
    await writeFileAtomic(join(invocation.out, "report.md"), renderOptimizationReport(report, "markdown"));
  }
  io.stdout.write(renderOptimizationReport(report, invocation.format));
  // The table and markdown list them; JSON on a pipe gets a line each on stderr for the human.
  if (invocation.format === "json" && !invocation.quiet)
    for (const s of report.skipped)
      io.stderr.write(`tiktoktoe optimize: ${s.technique} skipped: ${s.reason}\n`);
  if (invocation.deploy !== undefined) {
    const failed = await deployOptimized(
      report,
      invocation.deploy,
      invocation.out!,
      served?.optimizedFrom ?? basename(invocation.model),
      io,
    );
    if (failed !== undefined) return failed;
  }
  return invocation.failIfNone && report.chosen === null ? exitCodes.failed : exitCodes.ok;
}

async function readModel(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TikTokToeError(
      "INPUT_NOT_FOUND",
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "a directory, not an ONNX file"
          : `cannot read: ${(error as Error).message}`,
      { file, path: "MODEL.onnx", hint: "give the path of an .onnx model file" },
    );
  }
}

import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { TikTokToeError } from "../errors/index.js";
import { decodeModel, readCpuFeatures } from "../onnx/index.js";
import {
  DEFAULT_LATENCY,
  DEFAULT_TECHNIQUE_SETTINGS,
  loadOptimizationData,
  modelSignature,
  type OptimizationReport,
  type OptimizationReportFormat,
  optimizationReportFormats,
  productionVsObjectives,
  renderOptimizationReport,
  resolveTechniques,
  runOptimization,
  type TechniqueSettings,
} from "../optimizer/index.js";
import { choiceOption, listOption, numberOption } from "./args.js";
import { type CliIo, exitCodes } from "./io.js";
import { downloadServedVersion, type ServedSource } from "./optimize-server.js";
import { ProgressBar } from "./progress.js";
import { writeFileAtomic } from "./write-output.js";

/** `tiktoktoe optimize --help`. */
export const optimizeHelp = `Usage: tiktoktoe optimize MODEL.onnx --data DATA.csv --label COL [options]
       tiktoktoe optimize --server URL --model NAME [--version V] [options]

Make a model cheaper to run without losing accuracy: each technique builds candidates from the
model; every candidate is cross-validated (each technique re-run per fold on the fold's training
rows, scored on its held-out rows), timed with onnxruntime-node against the baseline, accepted or
rejected by the rules below, and ranked by the weighted objective. A report is always produced.

Acceptance (the seed's): accuracy drop <= 0.01, absolute (baseline − candidate, mean over folds
and its one-sided 95% upper bound); latency improvement >= 20% (p50, batch 1, same threads).
For a regression (one output value per row) the metric is MAE and the "drop" is the relative
rise (MAE_cand − MAE_base) / MAE_base. Every rejection says which rule failed and by how much.
Objective: 0.4·min(1, accuracy/0.95) + 0.3·min(1, 50 ms/p95) + 0.3·(1 − size/size_base).

Data: the feature columns (all but the label, or --features), in file order, fill the model's single
input, reshaped to its static shape per row (64 columns fill [batch, 1, 8, 8]).

A served version (--server URL --model NAME): its ONNX model, its reference rows (with a target
column) and its labelled events are downloaded from tiktoktoe serve into a temporary folder, the
schema's features in schema order; the report opens with "Production vs objectives": the newest
labelled window's accuracy (MAE for a regression) and the newest window's p99 latency against the
objective's targets, and which objectives the optimization is for.

Options:
      --data FILE            labelled rows: CSV with a header, or NDJSON (optionally .gz)
      --label COL            the label column (class index 0…k−1, or the regression target)
      --features A,B,…       the feature columns, in the model's order (default: all but the label)
      --input-scale K        multiply every feature by K (digits models take pixels/16: 0.0625)
      --task T               auto | classification | regression (default auto: from the output width)
      --output-name NAME     the output to score (default: the model's first)
      --techniques LIST      ${["quantize", "prune", "prune-structured", "distill"].join(",")} (default all),
                             or none to measure the baseline only
      --calibration M        entropy | minmax | percentile (quantize; default entropy)
      --sparsity S           fraction of weights pruned, in (0, 1) (default 0.7)
      --temperature T        distillation temperature (default 2.0)
      --folds K              cross-validation folds, 2…20 (default 5)
      --seed N               folds and techniques' randomness (default 42)
      --threads N            onnxruntime intra-op threads for every timing (default 1)
      --runs N               timed runs per model, batch size and round (default 30; 5 rounds)
      --max-drop D           accuracy drop limit (default 0.01)
      --min-improvement F    required latency improvement (default 0.2)
      --out DIR              write each candidate (DIR/<id>.onnx) and the report (report.json, report.md)
      --format F             table | json | markdown (default: table on a terminal, else json)
      --fail-if-none         exit 1 when no candidate is accepted
      --deploy MODEL_NAME    register the chosen candidate as a new version of MODEL_NAME on --server
                             (needs --out; meta: optimized_from, technique, report) and start a canary
                             rollout of it against production (verified first; source: this optimization,
                             its accuracy drop limit the analysis's)
      --canary STEPS         --deploy's canary weights in percent, the last 100 (default 5,25,50,100)
      --deploy-version V     the new version's name (default <technique>-<sha256 prefix>)
      --server URL           the tiktoktoe server: the served version to optimize (with --model), and --deploy's
      --model NAME           optimize a served version of NAME (instead of MODEL.onnx, --data and --label)
      --version V            that version (default: the newest registered)
      --from T, --to T       labelled events with an event time in [from, to) (ISO 8601 or epoch ms; default all)
      --limit N              the most labelled events (default 100000)
      --token T              a bearer token with the admin scope (default: $TIKTOKTOE_TOKEN)
  -q, --quiet                no progress bar
  -h, --help                 this help

Exit codes: 0 report written, 1 --fail-if-none and nothing accepted, or --deploy failed (the report
is still written), 2 usage or input error (nothing written), or the server's verification refused the
deployed version's rollout (the version stays registered as a candidate; nothing routed to it).

Examples:
  tiktoktoe optimize models/digits_mlp.onnx --data data/digits/digits.csv --label target --input-scale 0.0625
  tiktoktoe optimize models/digits_cnn.onnx --data data/digits/digits.csv --label target \\
      --input-scale 0.0625 --techniques quantize --calibration percentile --out opt/ --format markdown
  tiktoktoe optimize models/bike_mlp.onnx --data data/bike/bike_2011.csv --label cnt \\
      --features season,mnth,hr,holiday,weekday,workingday,weathersit,temp,atemp,hum,windspeed
  tiktoktoe optimize model.onnx --data val.csv --label y --out opt/ --deploy churn --server http://127.0.0.1:8080
  tiktoktoe optimize --server http://127.0.0.1:8080 --model digits --version 1 --input-scale 0.0625 --techniques quantize
`;

const optimizeArgs = {
  data: { type: "string" },
  label: { type: "string" },
  features: { type: "string" },
  "input-scale": { type: "string" },
  task: { type: "string" },
  "output-name": { type: "string" },
  techniques: { type: "string" },
  calibration: { type: "string" },
  sparsity: { type: "string" },
  temperature: { type: "string" },
  folds: { type: "string" },
  seed: { type: "string" },
  threads: { type: "string" },
  runs: { type: "string" },
  "max-drop": { type: "string" },
  "min-improvement": { type: "string" },
  out: { type: "string" },
  format: { type: "string" },
  "fail-if-none": { type: "boolean" },
  deploy: { type: "string" },
  "deploy-version": { type: "string" },
  canary: { type: "string" },
  server: { type: "string" },
  token: { type: "string" },
  model: { type: "string" },
  version: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  limit: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * A parsed `optimize` invocation.
 *
 * @example
 * ```ts
 * const invocation = parseOptimizeArgs(["m.onnx", "--data", "d.csv", "--label", "y"], io);
 * ```
 */
export interface OptimizeInvocation {
  readonly model: string;
  readonly data: string;
  readonly label: string;
  readonly features: readonly string[] | undefined;
  readonly inputScale: number;
  readonly task: "auto" | "classification" | "regression";
  readonly outputName: string | undefined;
  readonly techniques: readonly string[] | "all";
  readonly settings: TechniqueSettings;
  readonly folds: number;
  readonly seed: number;
  readonly threads: number;
  readonly runs: number;
  readonly maxDrop: number;
  readonly minImprovement: number;
  readonly out: string | undefined;
  readonly format: OptimizationReportFormat;
  readonly failIfNone: boolean;
  readonly deploy:
    | {
        readonly model: string;
        readonly server: string;
        readonly version: string | undefined;
        readonly token: string | undefined;
        /** The canary steps of the rollout started after the registration (default 5, 25, 50, 100). */
        readonly steps?: readonly number[];
      }
    | undefined;
  readonly quiet: boolean;
  /** `--server URL --model NAME`: the served version to download (model, data and label then come from it). */
  readonly served: ServedSource | undefined;
}

function usage(message: string, path: string, hint?: string): TikTokToeError {
  return new TikTokToeError("USAGE", message, { path, hint: hint ?? "see: tiktoktoe optimize --help" });
}

function integerOption(value: string, option: string, min: number, max: number): number {
  const n = numberOption(value, option, { min, max });
  if (!Number.isInteger(n))
    throw usage(`${option} must be an integer in [${min}, ${max}], got "${value}"`, option);
  return n;
}

/**
 * Parses `optimize`'s arguments, or throws a USAGE error naming the option.
 *
 * @example
 * ```ts
 * parseOptimizeArgs(["m.onnx", "--data", "d.csv", "--label", "y", "--folds", "3"], io).folds; // 3
 * ```
 */
export function parseOptimizeArgs(args: readonly string[], io: CliIo): OptimizeInvocation | "help" {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof optimizeArgs; strict: true; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: [...args], options: optimizeArgs, strict: true, allowPositionals: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw new TikTokToeError("USAGE", message, { hint: "see: tiktoktoe optimize --help" });
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const served = servedSource(values, positionals, io);
  if (served === undefined) {
    for (const option of ["version", "from", "to", "limit"] as const)
      if (values[option] !== undefined)
        throw usage(`--${option} is used with --server URL --model NAME`, `--${option}`);
  }
  if (served !== undefined) {
    // The model, the data and the label come from the server.
  } else if (positionals.length === 0)
    throw usage("missing the model: tiktoktoe optimize MODEL.onnx --data DATA.csv --label COL", "MODEL.onnx");
  if (positionals.length > 1)
    throw usage(`one model at a time; got ${positionals.length}: ${positionals.join(", ")}`, "MODEL.onnx");
  const model = served === undefined ? positionals[0]! : "";
  if (served === undefined && (values.data === undefined || values.data === ""))
    throw usage("missing required option --data (labelled rows to validate on)", "--data");
  if (served === undefined && (values.label === undefined || values.label === ""))
    throw usage("missing required option --label (the label column)", "--label");
  const techniquesList = listOption(values.techniques);
  if (techniquesList !== undefined && techniquesList.length === 0)
    throw usage("--techniques is empty; name techniques, or none for the baseline only", "--techniques");
  const format =
    values.format !== undefined
      ? choiceOption(values.format, "--format", optimizationReportFormats)
      : io.stdout.isTTY
        ? "table"
        : "json";
  let deploy: OptimizeInvocation["deploy"];
  if (values.deploy !== undefined) {
    if (values.server === undefined)
      throw usage(
        "--deploy needs --server URL (the tiktoktoe server to register the version on)",
        "--server",
      );
    if (values.out === undefined)
      throw usage("--deploy needs --out DIR: the new version links to the report written there", "--out");
    const version = values["deploy-version"];
    if (version !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(version))
      throw usage(
        `--deploy-version "${version}" must be 1–64 letters, digits, '.', '_' or '-'`,
        "--deploy-version",
      );
    deploy = {
      model: values.deploy,
      server: values.server.replace(/\/+$/, ""),
      version,
      token: values.token ?? io.env.TIKTOKTOE_TOKEN,
      steps: values.canary === undefined ? [5, 25, 50, 100] : canarySteps(values.canary),
    };
  } else if (values.canary !== undefined)
    throw usage(
      "--canary is used with --deploy MODEL_NAME (the rollout of the deployed version)",
      "--canary",
    );
  else if (values.server !== undefined && served === undefined)
    throw usage("--server is used with --model NAME (a served version) or --deploy MODEL_NAME", "--server");
  return {
    model,
    data: values.data ?? "",
    label: values.label ?? "",
    features: listOption(values.features),
    inputScale:
      values["input-scale"] === undefined
        ? 1
        : numberOption(values["input-scale"], "--input-scale", {
            min: -Number.MAX_VALUE,
            max: Number.MAX_VALUE,
          }),
    task:
      values.task === undefined
        ? "auto"
        : choiceOption(values.task, "--task", ["auto", "classification", "regression"] as const),
    outputName: values["output-name"],
    techniques: techniquesList ?? "all",
    settings: {
      calibration:
        values.calibration === undefined
          ? DEFAULT_TECHNIQUE_SETTINGS.calibration
          : choiceOption(values.calibration, "--calibration", ["entropy", "minmax", "percentile"] as const),
      sparsity:
        values.sparsity === undefined
          ? DEFAULT_TECHNIQUE_SETTINGS.sparsity
          : numberOption(values.sparsity, "--sparsity", { min: 0, max: 1, open: true }),
      temperature:
        values.temperature === undefined
          ? DEFAULT_TECHNIQUE_SETTINGS.temperature
          : numberOption(values.temperature, "--temperature", { min: 0, max: 1000, open: true }),
    },
    folds: values.folds === undefined ? 5 : integerOption(values.folds, "--folds", 2, 20),
    seed: values.seed === undefined ? 42 : integerOption(values.seed, "--seed", 0, 2 ** 31 - 1),
    threads: values.threads === undefined ? 1 : integerOption(values.threads, "--threads", 1, 256),
    runs:
      values.runs === undefined
        ? DEFAULT_LATENCY.runsPerRound
        : integerOption(values.runs, "--runs", 1, 100_000),
    maxDrop:
      values["max-drop"] === undefined
        ? 0.01
        : numberOption(values["max-drop"], "--max-drop", { min: 0, max: 1 }),
    minImprovement:
      values["min-improvement"] === undefined
        ? 0.2
        : numberOption(values["min-improvement"], "--min-improvement", { min: -1, max: 1 }),
    out: values.out,
    format,
    failIfNone: values["fail-if-none"] === true,
    deploy,
    quiet: values.quiet === true,
    served,
  };
}

/** `--server URL --model NAME [--version V] [--from T] [--to T] [--limit N]`, checked; undefined without --model. */
function servedSource(
  values: {
    readonly server?: string | undefined;
    readonly model?: string | undefined;
    readonly version?: string | undefined;
    readonly token?: string | undefined;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
    readonly limit?: string | undefined;
    readonly data?: string | undefined;
    readonly label?: string | undefined;
    readonly features?: string | undefined;
  },
  positionals: readonly string[],
  io: CliIo,
): ServedSource | undefined {
  if (values.model === undefined) return undefined;
  if (values.model === "") throw usage("--model needs the served model's name", "--model");
  if (values.server === undefined)
    throw usage("--model NAME needs --server URL (the tiktoktoe server that serves it)", "--server");
  if (positionals.length > 0)
    throw usage(
      `give either MODEL.onnx or --server URL --model NAME, not both (got ${positionals.join(", ")})`,
      "MODEL.onnx",
    );
  for (const option of ["data", "label", "features"] as const)
    if (values[option] !== undefined)
      throw usage(
        `--${option} is not used with --model: the rows are the version's reference and labelled events, its schema's features`,
        `--${option}`,
      );
  let server: URL;
  try {
    server = new URL(values.server);
  } catch {
    throw usage(
      `--server "${values.server}" is not a URL`,
      "--server",
      "e.g. --server http://127.0.0.1:8080",
    );
  }
  if (server.protocol !== "http:" && server.protocol !== "https:")
    throw usage(`--server "${values.server}" must be http or https`, "--server");
  const time = (value: string | undefined, option: string) => {
    if (value === undefined) return undefined;
    if (/^-?\d+$/.test(value) || !Number.isNaN(Date.parse(value))) return value;
    throw usage(`--${option} "${value}" is not ISO 8601 or epoch milliseconds`, `--${option}`);
  };
  return {
    server: values.server.replace(/\/+$/, ""),
    model: values.model,
    version: values.version,
    token: values.token ?? io.env.TIKTOKTOE_TOKEN,
    from: time(values.from, "from"),
    to: time(values.to, "to"),
    limit: values.limit === undefined ? 100_000 : integerOption(values.limit, "--limit", 1, 1_000_000),
  };
}

/**
 * Runs `tiktoktoe optimize`: checks the model and the data, runs the techniques, writes the
 * candidates and the report, and deploys the chosen candidate when asked.
 *
 * @example
 * ```ts
 * const code = await runOptimize(["models/digits_mlp.onnx", "--data", "data/digits/digits.csv", "--label", "target"], io);
 * ```
 */
export async function runOptimize(args: readonly string[], io: CliIo): Promise<number> {
  const invocation = parseOptimizeArgs(args, io);
  if (invocation === "help") {
    io.stdout.write(optimizeHelp);
    return exitCodes.ok;
  }
  // Names are checked before any file is read: a typo costs nothing.
  const { techniques, unavailable } = resolveTechniques(invocation.techniques, invocation.settings);
  if (invocation.out !== undefined) await checkOutDir(invocation.out);
  if (invocation.served === undefined) return optimizeFiles(invocation, techniques, unavailable, io);
  const dir = await mkdtemp(join(tmpdir(), "tiktoktoe-optimize-"));
  try {
    const served = invocation.served;
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

async function optimizeFiles(
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
    if (report.chosen === null) {
      io.stderr.write(
        `tiktoktoe optimize: nothing deployed to ${invocation.deploy.server}: no candidate passed the acceptance rules\n`,
      );
      return exitCodes.failed;
    }
    const reportPath = resolve(invocation.out!, "report.json");
    const version = await registerChosen(
      report,
      invocation.deploy,
      served?.optimizedFrom ?? basename(invocation.model),
      reportPath,
      io,
    );
    if (version === null) return exitCodes.failed;
    const rollout = await startOptimizedRollout(report, invocation.deploy, version, reportPath, io);
    if (rollout === "refused") return exitCodes.usage;
    if (rollout === "failed") return exitCodes.failed;
  }
  return invocation.failIfNone && report.chosen === null ? exitCodes.failed : exitCodes.ok;
}

/** Checked before the work, so a long run does not end in "cannot write". */
async function checkOutDir(dir: string): Promise<void> {
  const here = await stat(dir).catch(() => undefined);
  if (here !== undefined && !here.isDirectory())
    throw usage(
      `--out ${dir} is a file, not a folder`,
      "--out",
      "give a folder (it is created when missing)",
    );
  if (here === undefined) {
    const parent = await stat(dirname(resolve(dir))).catch(() => undefined);
    if (parent === undefined || !parent.isDirectory())
      throw usage(`--out ${dir}: the folder ${dirname(resolve(dir))} does not exist`, "--out");
  }
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

/**
 * Registers the report's chosen candidate as a new version (`POST /v1/models/{model}/versions`); false,
 * with a message on stderr, when the server refuses or cannot be reached.
 *
 * @example
 * ```ts
 * await deployChosen(report, { model: "digits", server: "http://127.0.0.1:8080", version: undefined, token }, "m.onnx", "/abs/out/report.json", io);
 * // optimizedFrom: the source model's file name, or "model/version" for a served version
 * ```
 */
export async function deployChosen(
  report: OptimizationReport,
  deploy: NonNullable<OptimizeInvocation["deploy"]>,
  optimizedFrom: string,
  reportPath: string,
  io: CliIo,
): Promise<boolean> {
  return (await registerChosen(report, deploy, optimizedFrom, reportPath, io)) !== null;
}

/** {@link deployChosen}'s work: the registered version's name, or null (said on stderr). */
async function registerChosen(
  report: OptimizationReport,
  deploy: NonNullable<OptimizeInvocation["deploy"]>,
  optimizedFrom: string,
  reportPath: string,
  io: CliIo,
): Promise<string | null> {
  const chosen = report.candidates.find((c) => c.id === report.chosen_id)!;
  const bytes = new Uint8Array(await readFile(chosen.path!));
  const version =
    deploy.version ??
    `${chosen.technique.replace(/[^A-Za-z0-9._-]/g, "-")}-${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}`;
  const body = {
    version,
    onnx: Buffer.from(bytes).toString("base64"),
    meta: {
      optimized_from: optimizedFrom,
      technique: chosen.technique,
      label: chosen.label,
      report: reportPath,
      accuracy: chosen.accuracy,
      accuracy_drop: chosen.accuracy_drop,
      speedup: chosen.speedup,
      size_bytes: chosen.size_bytes,
    },
  };
  const url = `${deploy.server}/v1/models/${encodeURIComponent(deploy.model)}/versions`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(deploy.token === undefined ? {} : { authorization: `Bearer ${deploy.token}` }),
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    io.stderr.write(
      `tiktoktoe optimize: cannot reach ${deploy.server}: ${(error as Error).message}; nothing deployed\n`,
    );
    return null;
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 500);
    try {
      const parsed = JSON.parse(text) as {
        code?: string;
        message?: string;
        error?: { code?: string; message?: string };
      };
      const e = parsed.error ?? parsed;
      if (e.message !== undefined) message = `${e.code ?? ""} ${e.message}`.trim();
    } catch {
      // Not JSON: the raw text (bounded) says what the server said.
    }
    io.stderr.write(
      `tiktoktoe optimize: ${deploy.server} refused version "${version}" of "${deploy.model}" (HTTP ${response.status}): ${message}\n`,
    );
    return null;
  }
  io.stderr.write(
    `tiktoktoe optimize: deployed ${chosen.id} as version "${version}" of "${deploy.model}" on ${deploy.server}\n`,
  );
  return version;
}

/** `--canary 10,50,100`: weights in percent (the server checks the order and the last 100). */
function canarySteps(text: string): number[] {
  return text.split(",").map((part, i) => {
    const n = Number(part.trim());
    if (part.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 100)
      throw usage(
        `--canary: step ${i + 1} ("${part}") is not a percentage in (0, 100]`,
        "--canary",
        "e.g. --canary 5,25,50,100",
      );
    return n;
  });
}

/**
 * Starts the canary rollout of a registered optimized version (`POST /v1/models/{model}/rollouts`),
 * with the optimization as its source and the report's accuracy drop limit as the analysis's. The
 * server verifies the version first: `refused` when a verification test failed (422), `failed` when
 * the server refused otherwise or cannot be reached; a model without a production version has nothing
 * to canary against, which is said and is no failure (the version stays registered).
 *
 * @example
 * ```ts
 * await startOptimizedRollout(report, deploy, "quantize-1a2b3c4d5e6f", "/abs/out/report.json", io); // "started"
 * ```
 */
export async function startOptimizedRollout(
  report: OptimizationReport,
  deploy: NonNullable<OptimizeInvocation["deploy"]>,
  version: string,
  reportPath: string,
  io: CliIo,
): Promise<"started" | "skipped" | "refused" | "failed"> {
  // The optimization's id: the chosen candidate and a digest of the report it was chosen by.
  const digest = createHash("sha256")
    .update(await readFile(reportPath).catch(() => Buffer.from(reportPath)))
    .digest("hex")
    .slice(0, 12);
  const id = `${report.chosen_id}@${digest}`;
  const body = {
    version,
    steps: deploy.steps ?? [5, 25, 50, 100],
    source: { kind: "optimization", id },
    // The analysis's accuracy limit is for classifiers; a regression's MAE limit is the server's own.
    ...(report.metric === "accuracy"
      ? { acceptance: { accuracyDropLimit: report.acceptance.accuracy_drop_limit } }
      : {}),
    reason: `optimized (${report.chosen_id}); report ${reportPath}`.slice(0, 2000),
    by: "tiktoktoe optimize",
  };
  let response: Response;
  try {
    response = await fetch(`${deploy.server}/v1/models/${encodeURIComponent(deploy.model)}/rollouts`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(deploy.token === undefined ? {} : { authorization: `Bearer ${deploy.token}` }),
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    io.stderr.write(
      `tiktoktoe optimize: cannot reach ${deploy.server} to start the rollout: ${(error as Error).message}\n`,
    );
    return "failed";
  }
  const text = await response.text();
  let answer: {
    code?: string;
    message?: string;
    id?: string;
    weight?: number;
    spec?: { steps?: number[] };
    problems?: Array<{ name?: string; reason?: string }>;
  } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    answer = { message: text.slice(0, 500) };
  }
  if (response.ok) {
    io.stderr.write(
      `tiktoktoe optimize: rollout ${answer.id} of "${version}" started: canary at ${answer.weight}%, steps ${(answer.spec?.steps ?? body.steps).join(" → ")}\n`,
    );
    return "started";
  }
  if (answer.code === "VERIFICATION_FAILED") {
    io.stderr.write(
      `tiktoktoe optimize: version "${version}" is registered but failed verification; no traffic was routed to it:\n${(
        answer.problems ?? []
      )
        .map((p) => `  ${p.name}: ${p.reason}\n`)
        .join("")}`,
    );
    return "refused";
  }
  if (answer.code === "NOT_SERVING") {
    io.stderr.write(
      `tiktoktoe optimize: version "${version}" is registered; no rollout started: ${answer.message ?? "the model has no production version"}\n`,
    );
    return "skipped";
  }
  io.stderr.write(
    `tiktoktoe optimize: ${deploy.server} refused the rollout of "${version}" (HTTP ${response.status}): ${`${answer.code ?? ""} ${answer.message ?? ""}`.trim()}\n`,
  );
  return "failed";
}

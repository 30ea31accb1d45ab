import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { TikTokToeError } from "../errors/index.js";
import {
  DEFAULT_LATENCY,
  DEFAULT_TECHNIQUE_SETTINGS,
  type OptimizationReportFormat,
  optimizationReportFormats,
  type TechniqueSettings,
} from "../optimizer/index.js";
import { choiceOption, listOption, numberOption } from "./args.js";
import type { CliIo } from "./io.js";
import type { ServedSource } from "./optimize-server.js";

/**
 * `tiktoktoe optimize`'s options (see `optimizeHelp`), parsed and checked before any model or data is
 * read or anything is sent: every mistake is a USAGE error naming the option (exit code 2).
 */

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
 * `--out DIR`: a folder, or a missing one whose parent exists. Checked before the work, so a long run
 * does not end in "cannot write".
 *
 * @example
 * ```ts
 * await checkOutDir("opt/"); // throws USAGE when opt is a file or its parent folder is missing
 * ```
 */
export async function checkOutDir(dir: string): Promise<void> {
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

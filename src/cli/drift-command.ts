import { extname } from "node:path";
import {
  atLeast,
  type DriftOptions,
  type DriftReport,
  type DriftSelection,
  driftMethods,
  type Severity,
} from "../drift/index.js";
import { TikTokToeError } from "../errors/index.js";
import { analyzeFilesParallel } from "../parallel/index.js";
import { type ReportFormat, renderDriftReport, reportFormats } from "../report/index.js";
import { corrections } from "../stats/multiple-testing.js";
import { choiceOption, listOption, numberOption, parseCommandArgs, required } from "./args.js";
import { type CliIo, exitCodes } from "./io.js";
import { ProgressBar } from "./progress.js";
import { checkOutputPath, writeFileAtomic } from "./write-output.js";

/** `tiktoktoe drift --help`. */
export const driftHelp = `Usage: tiktoktoe drift --reference REF --current CUR [options]

Compare two datasets column by column and decide whether the current one drifted from the reference.
Inputs: CSV with a header, or NDJSON (.jsonl / .ndjson), optionally gzip-compressed (.gz).

Default decision (--method auto): a numeric column is a warning when its corrected KS test is
significant and critical when its normalised Wasserstein distance is also >= 0.1; categorical columns
use chi-square and Jensen-Shannon the same way. The dataset is an emergency when the prediction or
target drifted or more than half of the features did.

Options:
  -r, --reference FILE     reference data (e.g. training or validation data)
  -c, --current FILE       current data (e.g. last week's production inputs)
      --columns A,B,...    feature columns to compare (default: every column but identifiers:
                           text with all values distinct, integers increasing down both files)
      --exclude A,B,...    leave these columns out (of the tests and the correction)
      --categorical A,...  treat these columns as categorical
      --numeric A,...      treat these columns as numeric (text in them is an error)
      --prediction COL     the model's prediction column (its own test family)
      --target COL         the target / label column (its own test family)
      --method M           auto | ks | wasserstein | psi | chisquare | jensenshannon  (default auto)
      --alpha A            significance level before correction (default 0.05)
      --correction C       bonferroni | holm | bh | none  (default bonferroni)
      --threshold T        distance threshold: the effect size in auto mode (default 0.1),
                           PSI's critical level (default 0.25), Wasserstein / Jensen-Shannon (0.1)
      --ks-mode M          auto | exact | asymp  (default auto: exact up to 10,000 values per side)
      --format F           table | json | html | markdown  (default: table on a terminal, else json;
                           with --output, from its extension: .json .html .htm .md .txt)
  -o, --output FILE        write the report to FILE instead of stdout
      --fail-on S          exit 1 when the dataset severity reaches warning | critical | emergency,
                           or never (default critical)
  -q, --quiet              no progress bar
  -h, --help               this help

Exit codes: 0 no drift at --fail-on, 1 drift at --fail-on, 2 usage or input error (nothing written).

Examples:
  tiktoktoe drift -r train.csv -c last_week.csv.gz
  tiktoktoe drift -r ref.jsonl -c cur.jsonl --target label --prediction score --format json
  tiktoktoe drift -r ref.csv -c cur.csv --method psi --columns age,income -o drift.html
  tiktoktoe drift -r ref.csv -c cur.csv --correction bh --alpha 0.01 --fail-on warning
  tiktoktoe drift -r ref.csv -c cur.csv --exclude customer_id,signup_date
`;

const driftArgs = {
  reference: { type: "string", short: "r" },
  current: { type: "string", short: "c" },
  columns: { type: "string" },
  exclude: { type: "string" },
  categorical: { type: "string" },
  numeric: { type: "string" },
  prediction: { type: "string" },
  target: { type: "string" },
  method: { type: "string" },
  alpha: { type: "string" },
  correction: { type: "string" },
  threshold: { type: "string" },
  "ks-mode": { type: "string" },
  format: { type: "string" },
  output: { type: "string", short: "o" },
  "fail-on": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

const failLevels = ["warning", "critical", "emergency", "never"] as const;

/** A parsed `drift` invocation. */
export interface DriftInvocation {
  readonly reference: string;
  readonly current: string;
  readonly selection: DriftSelection;
  readonly options: Partial<DriftOptions>;
  readonly format: ReportFormat;
  readonly output: string | undefined;
  readonly failOn: Severity | "never";
  readonly quiet: boolean;
}

/**
 * Parses `drift`'s arguments into an invocation, or throws a USAGE error naming the option.
 *
 * @example
 * ```ts
 * parseDriftArgs(["-r", "a.csv", "-c", "b.csv"], io).options; // {}
 * ```
 */
export function parseDriftArgs(args: readonly string[], io: CliIo): DriftInvocation | "help" {
  const { values } = parseCommandArgs(args, driftArgs, "drift");
  if (values.help) return "help";
  const reference = required(values.reference, "--reference", "drift");
  const current = required(values.current, "--current", "drift");
  const method = values.method === undefined ? "auto" : choiceOption(values.method, "--method", driftMethods);
  const options: { -readonly [K in keyof DriftOptions]?: DriftOptions[K] } = { method };
  if (values.alpha !== undefined)
    options.alpha = numberOption(values.alpha, "--alpha", { min: 0, max: 1, open: true });
  if (values.correction !== undefined)
    options.correction = choiceOption(values.correction, "--correction", corrections);
  if (values["ks-mode"] !== undefined)
    options.ksMode = choiceOption(values["ks-mode"], "--ks-mode", ["auto", "exact", "asymp"] as const);
  if (values.threshold !== undefined) {
    const threshold = numberOption(values.threshold, "--threshold", { min: 0, max: Number.MAX_VALUE });
    if (method === "ks" || method === "chisquare")
      throw new TikTokToeError(
        "USAGE",
        `--threshold does not apply to --method ${method} (a test; use --alpha)`,
        {
          path: "--threshold",
        },
      );
    if (method === "psi") {
      options.psiCritical = threshold;
      options.psiWarning = Math.min(0.1, threshold);
    } else {
      if (method !== "jensenshannon") options.wassersteinThreshold = threshold;
      if (method !== "wasserstein") options.jensenShannonThreshold = threshold;
    }
  }
  const output = values.output;
  const format =
    values.format !== undefined
      ? choiceOption(values.format, "--format", reportFormats)
      : output !== undefined
        ? formatFromExtension(output)
        : io.stdout.isTTY
          ? "table"
          : "json";
  const selection: { -readonly [K in keyof DriftSelection]?: DriftSelection[K] } = {};
  const columns = listOption(values.columns);
  if (columns !== undefined) selection.columns = columns;
  const categorical = listOption(values.categorical);
  if (categorical !== undefined) selection.categorical = categorical;
  const numeric = listOption(values.numeric);
  if (numeric !== undefined) selection.numeric = numeric;
  const both = categorical?.find((c) => numeric?.includes(c));
  if (both !== undefined)
    throw new TikTokToeError("USAGE", `column "${both}" is in both --categorical and --numeric`, {
      path: "--numeric",
    });
  const exclude = listOption(values.exclude);
  if (exclude !== undefined) selection.exclude = exclude;
  if (values.prediction !== undefined) selection.prediction = values.prediction;
  if (values.target !== undefined) selection.target = values.target;
  if (values.prediction !== undefined && values.prediction === values.target)
    throw new TikTokToeError("USAGE", "--prediction and --target name the same column", { path: "--target" });
  return {
    reference,
    current,
    selection,
    options,
    format,
    output,
    failOn:
      values["fail-on"] === undefined ? "critical" : choiceOption(values["fail-on"], "--fail-on", failLevels),
    quiet: values.quiet === true,
  };
}

/** What `--output`'s extension says to write when `--format` does not. */
const formatOfExtension: Readonly<Record<string, ReportFormat>> = {
  ".json": "json",
  ".html": "html",
  ".htm": "html",
  ".md": "markdown",
  ".txt": "table",
};

function formatFromExtension(file: string): ReportFormat {
  const extension = extname(file).toLowerCase();
  const format = formatOfExtension[extension];
  // Guessing JSON for `report.pdf` would write a file its name lies about.
  if (format === undefined)
    throw new TikTokToeError(
      "USAGE",
      `cannot tell the report format from ${extension === "" ? "a file name without an extension" : `the extension "${extension}"`} of --output ${file}`,
      {
        path: "--output",
        hint: `use one of ${Object.keys(formatOfExtension).join(", ")}, or say what to write with --format ${reportFormats.join("|")}`,
      },
    );
  return format;
}

/**
 * Runs `tiktoktoe drift`: reads both inputs in parallel, measures, decides, writes the report, and
 * returns the exit code (1 when the severity reaches `--fail-on`).
 *
 * @example
 * ```ts
 * const code = await runDrift(["-r", "ref.csv", "-c", "cur.csv", "--format", "json"], io);
 * ```
 */
export async function runDrift(args: readonly string[], io: CliIo): Promise<number> {
  const invocation = parseDriftArgs(args, io);
  if (invocation === "help") {
    io.stdout.write(driftHelp);
    return exitCodes.ok;
  }
  if (invocation.output !== undefined) await checkOutputPath(invocation.output);
  const report = await computeDrift(invocation, io);
  const color = invocation.output === undefined && io.stdout.isTTY === true && io.env.NO_COLOR === undefined;
  const text = renderDriftReport(report, invocation.format, { color });
  if (invocation.output === undefined) io.stdout.write(text);
  else {
    await writeFileAtomic(invocation.output, text);
    if (!invocation.quiet) io.stderr.write(`${report.severity}: report written to ${invocation.output}\n`);
  }
  return invocation.failOn !== "never" && atLeast(report.severity, invocation.failOn)
    ? exitCodes.failed
    : exitCodes.ok;
}

/**
 * The report of a parsed invocation, with a progress bar on a terminal.
 *
 * @example
 * ```ts
 * const report = await computeDrift(parseDriftArgs(args, io) as DriftInvocation, io);
 * ```
 */
export async function computeDrift(invocation: DriftInvocation, io: CliIo): Promise<DriftReport> {
  const bar = new ProgressBar(io.stderr, { enabled: !invocation.quiet, now: () => Date.now() });
  let state = { label: "reading", done: 0, total: 2 };
  const ticker = setInterval(() => bar.update(state.label, state.done, state.total), 250);
  ticker.unref();
  try {
    return await analyzeFilesParallel(invocation.reference, invocation.current, {
      selection: invocation.selection,
      drift: invocation.options,
      onProgress: (p) => {
        state = { label: p.phase === "read" ? "reading" : "measuring", done: p.done, total: p.total };
        bar.update(state.label, state.done, state.total);
      },
    });
  } finally {
    clearInterval(ticker);
    bar.done();
  }
}

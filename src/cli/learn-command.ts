import { performance } from "node:perf_hooks";
import { readTable, type Table } from "../data/index.js";
import { columnMissingError, TikTokToeError } from "../errors/index.js";
import {
  defaultOptimizer,
  type LearnTask,
  learnTasks,
  OnlineLinearModel,
  type OptimizerSettings,
  optimizerKinds,
  PrequentialEvaluator,
  type PrequentialResult,
  withElasticNet,
} from "../learn/index.js";
import { choiceOption, listOption, numberOption, parseCommandArgs, required } from "./args.js";
import type { CliIo } from "./io.js";
import { exitCodes } from "./io.js";
import { runLearnOnnx } from "./learn-onnx.js";

/** `tiktoktoe learn --help`. */
export const learnHelp = `Usage: tiktoktoe learn --data STREAM.csv --label COL [options]
       tiktoktoe learn --data STREAM.csv --label COL --onnx MODEL.onnx [--out NEW.onnx] [options]

Replay a stream file as an online learner sees it: each row is predicted first, then learned from
once its label arrives (prequential evaluation), next to a naive baseline (majority class, or the
running mean for regression). Numeric features are standardised online; categorical ones one-hot.
Inputs: CSV with a header, or NDJSON (.jsonl / .ndjson), optionally gzip-compressed (.gz).

Options:
  -d, --data FILE          the stream, rows in arrival order
  -l, --label COL          the label column
      --task T             binary | multiclass | regression (default: from the label — 2 distinct
                           values binary, other text multiclass, other numbers regression)
      --optimizer O        ftrl | adagrad | sgd  (default ftrl: FTRL-Proximal, exact zeros)
      --rate R             the optimizer's rate: FTRL's alpha (0.1), AdaGrad's eta (0.1), SGD's eta (0.01)
      --alpha A            elastic-net strength (scikit-learn's alpha; FTRL: l1 + l2 over the whole
                           stream, default 2; AdaGrad 2e-5 and SGD 1e-4 per sample)
      --l1-ratio R         the L1 share of --alpha (default 0.5; SGD 0.15)
      --features A,B,...   feature columns (default: every column but the label)
      --categorical A,...  one-hot these columns and read the other features as numbers (a text
                           value in them is an error); default: text columns are categorical
      --delay N            labels arrive N rows after their row (default 0)
      --format F           table | json  (default: table on a terminal, else json)
  -h, --help               this help

Fine-tuning a deployed ONNX MLP (--onnx): the model's dense layers (Gemm or MatMul + Add, with
Relu/Tanh/Sigmoid; its input normalisation and Softmax kept as they are) learn the stream with Adam,
and the new version (same graph, new weights) is written to --out. The stream's last rows are held
out and judge both versions in onnxruntime: MAE for a regression output, accuracy for a classifier
(whose label column holds class indices).
      --onnx FILE          the deployed model
      --out FILE           where to write the fine-tuned model (default: write nothing, report only)
      --features A,B,...   the model's input columns, in its order (default: every column but the
                           label and --weights)
      --weights COL        a column of importance weights (mean 1; 0 ignores the row)
      --epochs N           passes over the stream (default 3)
      --rate R             Adam's rate (default 0.001)
      --l1 X, --l2 X       elastic net towards the deployed weights (default 0: λ₁ near 1 holds back
                           most weights; a large λ₂ holds them all)
      --validation F       share of the learned rows used for early stopping (default 0.2; 0: none)
      --holdout F          share of the stream's tail held out to compare the versions (default 0.2)
      --seed N             shuffling and validation split (default 1)

JSON: { samples, metric, prequential, baseline: { name, value }, throughput_per_s, nonzero_weights, … }
JSON with --onnx: { model, out, head, metric, before, after, epochs_run, train_loss, validation_loss, … }

Exit codes: 0 done, 2 usage or input error (a missing column, a bad label, text in a numeric feature).

Examples:
  tiktoktoe learn --data data/adult/adult.csv --label income
  tiktoktoe learn -d data/bike/bike_2012.csv -l cnt --task regression --features temp,hum,hr --categorical hr
  tiktoktoe learn -d stream.csv -l churned --optimizer sgd --alpha 1e-4 --l1-ratio 0.15 --delay 100
  tiktoktoe learn -d data/bike/bike_2012.csv -l cnt --onnx models/bike_mlp.onnx --out bike_v2.onnx \\
    --features season,mnth,hr,holiday,weekday,workingday,weathersit,temp,atemp,hum,windspeed
`;

const learnArgs = {
  data: { type: "string", short: "d" },
  label: { type: "string", short: "l" },
  task: { type: "string" },
  optimizer: { type: "string" },
  rate: { type: "string" },
  alpha: { type: "string" },
  "l1-ratio": { type: "string" },
  features: { type: "string" },
  categorical: { type: "string" },
  delay: { type: "string" },
  format: { type: "string" },
  onnx: { type: "string" },
  out: { type: "string" },
  weights: { type: "string" },
  epochs: { type: "string" },
  l1: { type: "string" },
  l2: { type: "string" },
  seed: { type: "string" },
  validation: { type: "string" },
  holdout: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Options of the online linear learner only, and of `--onnx` fine-tuning only: never mixed. */
const LINEAR_ONLY = ["task", "optimizer", "alpha", "l1-ratio", "categorical", "delay"] as const;
const ONNX_ONLY = ["out", "weights", "epochs", "l1", "l2", "seed", "validation", "holdout"] as const;

/**
 * `learn`'s JSON answer.
 *
 * @example
 * ```ts
 * const report: LearnReport = JSON.parse(stdout);
 * report.prequential > report.baseline.value;
 * ```
 */
export interface LearnReport {
  readonly samples: number;
  readonly learned: number;
  readonly task: LearnTask;
  readonly metric: PrequentialResult["metric"];
  readonly prequential: number;
  readonly baseline: PrequentialResult["baseline"];
  readonly baselines: PrequentialResult["baselines"];
  readonly throughput_per_s: number;
  readonly nonzero_weights: number;
  readonly coordinates: number;
  readonly optimizer: OptimizerSettings;
  readonly delay: number;
  readonly classes?: readonly string[];
  readonly numeric: readonly string[];
  readonly categorical: readonly string[];
}

/**
 * Runs `tiktoktoe learn`.
 *
 * @example
 * ```ts
 * const code = await runLearn(["--data", "adult.csv", "--label", "income", "--format", "json"], io);
 * ```
 */
export async function runLearn(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, learnArgs, "learn");
  if (values.help) {
    io.stdout.write(learnHelp);
    return exitCodes.ok;
  }
  const data = required(values.data, "--data", "learn");
  const label = required(values.label, "--label", "learn");
  const format =
    values.format !== undefined
      ? choiceOption(values.format, "--format", ["table", "json"] as const)
      : io.stdout.isTTY
        ? "table"
        : "json";
  const mixed = (values.onnx === undefined ? ONNX_ONLY : LINEAR_ONLY).find(
    (name) => values[name] !== undefined,
  );
  if (mixed !== undefined)
    throw new TikTokToeError(
      "USAGE",
      values.onnx === undefined
        ? `--${mixed} applies to fine-tuning an ONNX MLP: give --onnx MODEL.onnx`
        : `--${mixed} applies to the online linear learner, not to --onnx fine-tuning`,
      { path: `--${mixed}`, hint: "see: tiktoktoe learn --help" },
    );
  if (values.onnx !== undefined)
    return runLearnOnnx(
      {
        data,
        label,
        onnx: values.onnx,
        out: values.out,
        features: listOption(values.features),
        weights: values.weights,
        epochs: values.epochs,
        rate: values.rate,
        l1: values.l1,
        l2: values.l2,
        seed: values.seed,
        holdout: values.holdout,
        validation: values.validation,
        format,
      },
      io,
    );
  const taskOption = values.task === undefined ? undefined : choiceOption(values.task, "--task", learnTasks);
  const kind =
    values.optimizer === undefined ? "ftrl" : choiceOption(values.optimizer, "--optimizer", optimizerKinds);
  let optimizer: OptimizerSettings = defaultOptimizer(kind);
  if (values.rate !== undefined) {
    const rate = numberOption(values.rate, "--rate", { min: 0, max: 1e6, open: true });
    optimizer = optimizer.kind === "ftrl" ? { ...optimizer, alpha: rate } : { ...optimizer, eta: rate };
  }
  if (values.alpha !== undefined || values["l1-ratio"] !== undefined) {
    const alpha =
      values.alpha === undefined
        ? optimizer.l1 + optimizer.l2
        : numberOption(values.alpha, "--alpha", { min: 0, max: 1e6 });
    const ratio =
      values["l1-ratio"] === undefined
        ? optimizer.l1 + optimizer.l2 > 0
          ? optimizer.l1 / (optimizer.l1 + optimizer.l2)
          : 0.5
        : numberOption(values["l1-ratio"], "--l1-ratio", { min: 0, max: 1 });
    optimizer = withElasticNet(optimizer, alpha, ratio);
  }
  const delay =
    values.delay === undefined
      ? 0
      : numberOption(values.delay, "--delay", { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (!Number.isInteger(delay))
    throw new TikTokToeError("USAGE", `--delay must be a whole number of rows, got "${values.delay}"`, {
      path: "--delay",
    });
  const features = listOption(values.features);
  const categoricalOption = listOption(values.categorical);
  if (features?.includes(label))
    throw new TikTokToeError("USAGE", `--features includes the label column "${label}"`, {
      path: "--features",
    });
  for (const name of categoricalOption ?? [])
    if (features !== undefined && !features.includes(name))
      throw new TikTokToeError("USAGE", `--categorical names "${name}", which is not in --features`, {
        path: "--categorical",
      });

  const text = new Set(categoricalOption ?? []);
  if (taskOption === "binary" || taskOption === "multiclass") text.add(label);
  const numeric = new Set<string>();
  if (taskOption === "regression") numeric.add(label);
  if (categoricalOption !== undefined && features !== undefined)
    for (const name of features) if (!text.has(name)) numeric.add(name);
  const table = await readTable(data, {
    ...(features !== undefined ? { columns: [...features, label] } : {}),
    text,
    numeric,
  });
  if (!table.columns.has(label)) throw columnMissingError(table.source, label, "--label", table.columnNames);
  const featureNames = features ?? table.columnNames.filter((name) => name !== label);
  if (categoricalOption !== undefined && features === undefined)
    for (const name of featureNames)
      if (!text.has(name) && table.columns.get(name)?.kind === "text") {
        const line = firstTextLine(table, name);
        throw new TikTokToeError(
          "INPUT_NOT_NUMERIC",
          `column "${name}" has text but is not in --categorical`,
          {
            file: table.source,
            column: name,
            ...(line !== undefined ? { line } : {}),
            hint: `add ${name} to --categorical or clean the file`,
          },
        );
      }
  const numericNames = featureNames.filter((name) => table.columns.get(name)!.kind === "numeric");
  const categoricalNames = featureNames.filter((name) => table.columns.get(name)!.kind === "text");
  const { task, classes, labels } = readLabels(table, label, taskOption);

  const model = new OnlineLinearModel({
    task,
    features: { numeric: numericNames, categorical: categoricalNames },
    ...(task === "regression" ? {} : { classes }),
    optimizer,
  });
  const n = table.rowCount;
  const p = numericNames.length;
  const c = categoricalNames.length;
  const start = performance.now();
  // Columns → row-major samples; one-hot coordinates in order of first appearance.
  const numericRows = new Float64Array(n * p);
  numericNames.forEach((name, j) => {
    const column = table.columns.get(name)!;
    if (column.kind !== "numeric") return;
    for (let r = 0; r < n; r++) numericRows[r * p + j] = column.values[r]!;
  });
  const slots = new Int32Array(n * c);
  categoricalNames.forEach((name, k) => {
    const column = table.columns.get(name)!;
    if (column.kind !== "text") return;
    const slotOfCode = new Int32Array(column.categories.length).fill(-2);
    for (let r = 0; r < n; r++) {
      const code = column.codes[r]!;
      if (code < 0) {
        slots[r * c + k] = -1;
        continue;
      }
      if (slotOfCode[code] === -2)
        slotOfCode[code] = model.encoder.slot(name, column.categories[code]!, true);
      slots[r * c + k] = slotOfCode[code]!;
    }
  });
  const evaluator = new PrequentialEvaluator(model, { delay });
  for (let r = 0; r < n; r++) evaluator.step(numericRows, r * p, slots, r * c, labels[r]!);
  const seconds = (performance.now() - start) / 1000;
  const result = evaluator.result();
  const report: LearnReport = {
    samples: result.samples,
    learned: result.learned,
    task,
    metric: result.metric,
    prequential: result.prequential,
    baseline: result.baseline,
    baselines: result.baselines,
    throughput_per_s: Math.round(n / Math.max(seconds, 1e-9)),
    nonzero_weights: model.nonZeroWeights(),
    coordinates: model.encoder.coordinates,
    optimizer: model.optimizer,
    delay,
    ...(task === "regression" ? {} : { classes }),
    numeric: numericNames,
    categorical: categoricalNames,
  };
  io.stdout.write(format === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
  return exitCodes.ok;
}

/** The label column as class indices or targets, with the task; INPUT_BAD_LABEL with the line on a bad value. */
function readLabels(
  table: Table,
  label: string,
  taskOption: LearnTask | undefined,
): { task: LearnTask; classes: string[]; labels: Float64Array } {
  const column = table.columns.get(label)!;
  const n = table.rowCount;
  const labels = new Float64Array(n);
  const bad = (row: number, message: string, hint: string) =>
    new TikTokToeError("INPUT_BAD_LABEL", message, {
      file: table.source,
      line: row + 2,
      column: label,
      hint,
    });
  for (let r = 0; r < n; r++)
    if (column.kind === "numeric" ? Number.isNaN(column.values[r]) : column.codes[r]! < 0)
      throw bad(r, `the label is missing`, "every row of the stream needs a label; drop unlabelled rows");
  if (column.kind === "numeric") {
    const distinct = [...new Set(column.values)].sort((a, b) => a - b);
    const task = taskOption ?? (distinct.length === 2 ? "binary" : "regression");
    if (task === "regression") {
      labels.set(column.values);
      return { task, classes: [], labels };
    }
    const classes = distinct.map(String);
    check(task, classes, (k) => column.values.indexOf(distinct[k]!), bad);
    for (let r = 0; r < n; r++) labels[r] = distinct.indexOf(column.values[r]!);
    return { task, classes, labels };
  }
  if (taskOption === "regression") {
    // readTable reads a declared-numeric column or fails, so this only guards a future change.
    throw bad(0, "the label is text but --task is regression", "use --task binary or multiclass");
  }
  const classes = [...column.categories].sort();
  const task = taskOption ?? (classes.length === 2 ? "binary" : "multiclass");
  const rank = column.categories.map((category) => classes.indexOf(category));
  check(task, classes, (k) => column.codes.indexOf(column.categories.indexOf(classes[k]!)), bad);
  for (let r = 0; r < n; r++) labels[r] = rank[column.codes[r]!]!;
  return { task, classes, labels };
}

/** Binary needs exactly 2 classes, multiclass 2 or more; the error names a row with a third class. */
function check(
  task: LearnTask,
  classes: readonly string[],
  firstRowOf: (classIndex: number) => number,
  bad: (row: number, message: string, hint: string) => TikTokToeError,
): void {
  if (task === "binary" && classes.length > 2) {
    // The class that shows up last among the first appearances is the one that broke "binary".
    const rows = classes.map((_, k) => firstRowOf(k)).sort((a, b) => a - b);
    const row = rows[2]!;
    throw bad(
      row,
      `--task binary needs exactly 2 label values, found ${classes.length} (${classes
        .slice(0, 5)
        .map((c) => JSON.stringify(c))
        .join(", ")}${classes.length > 5 ? ", …" : ""}); the third appears here`,
      "use --task multiclass, or map the labels to two values",
    );
  }
  if (classes.length < 2)
    throw bad(
      0,
      `the label has only ${classes.length} distinct value(s); ${task} needs at least 2`,
      "check --label",
    );
}

function firstTextLine(table: Table, name: string): number | undefined {
  const column = table.columns.get(name);
  if (column?.kind !== "text") return undefined;
  for (let r = 0; r < column.codes.length; r++)
    if (column.codes[r]! >= 0 && Number.isNaN(Number(column.categories[column.codes[r]!]))) return r + 2;
  return undefined;
}

function renderTable(report: LearnReport): string {
  const lines = [
    ["samples", String(report.samples)],
    ["task", report.task],
    ["optimizer", JSON.stringify(report.optimizer)],
    [`prequential ${report.metric}`, report.prequential.toFixed(4)],
    ...report.baselines.map((b) => [`baseline (${b.name})`, b.value.toFixed(4)]),
    ["throughput", `${report.throughput_per_s.toLocaleString("en-US")} rows/s`],
    ["non-zero weights", `${report.nonzero_weights} of ${report.coordinates - 1}`],
    ["delay", `${report.delay} rows`],
  ];
  const width = Math.max(...lines.map(([k]) => k!.length));
  return `${lines.map(([k, v]) => `${k!.padEnd(width)}  ${v}`).join("\n")}\n`;
}

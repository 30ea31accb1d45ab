import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { readTable } from "../data/index.js";
import { columnMissingError, TikTokToeError } from "../errors/index.js";
import {
  DEFAULT_MLP_FINE_TUNE,
  fineTuneOnnxMlp,
  type MlpFineTuneOptions,
  type OnnxMlpHead,
  readOnnxMlp,
} from "../learn/index.js";
import { decodeModel, openSession } from "../onnx/index.js";
import { numberOption } from "./args.js";
import type { CliIo } from "./io.js";
import { exitCodes } from "./io.js";

/**
 * `tiktoktoe learn --onnx MODEL.onnx` (issue #15): fine-tunes a deployed ONNX MLP on a labelled CSV
 * stream and writes the new version. The stream's last rows (`--holdout`, default 20 %) are kept out
 * of training and judge both versions in onnxruntime; the rest are learned from.
 */

/** The options `learn --onnx` reads (strings as parsed; see `learnHelp`). */
export interface LearnOnnxValues {
  readonly data: string;
  readonly label: string;
  readonly onnx: string;
  readonly out?: string | undefined;
  readonly features?: readonly string[] | undefined;
  readonly weights?: string | undefined;
  readonly epochs?: string | undefined;
  readonly rate?: string | undefined;
  readonly l1?: string | undefined;
  readonly l2?: string | undefined;
  readonly seed?: string | undefined;
  readonly holdout?: string | undefined;
  readonly validation?: string | undefined;
  readonly format: "table" | "json";
}

/**
 * `learn --onnx`'s JSON answer: the held-out tail's metric (MAE for a regression output, accuracy
 * for a classifier) for the deployed model and the fine-tuned one, both from onnxruntime.
 *
 * @example
 * ```ts
 * const report: LearnOnnxReport = JSON.parse(stdout);
 * report.after < report.before; // a lower MAE
 * ```
 */
export interface LearnOnnxReport {
  readonly model: string;
  readonly out: string | null;
  readonly head: OnnxMlpHead;
  readonly features: readonly string[];
  readonly rows: number;
  readonly trained_rows: number;
  readonly holdout_rows: number;
  readonly metric: "mae" | "accuracy";
  readonly before: number;
  readonly after: number;
  readonly epochs_run: number;
  readonly train_loss: number;
  readonly validation_loss: number | null;
  readonly start_validation_loss: number | null;
  readonly options: Required<MlpFineTuneOptions>;
}

function usage(message: string, path: string, hint?: string): TikTokToeError {
  return new TikTokToeError("USAGE", message, {
    path,
    hint: hint ?? "see: tiktoktoe learn --help",
  });
}

/**
 * Runs `tiktoktoe learn --onnx`.
 *
 * @example
 * ```ts
 * await runLearnOnnx({ data: "bike_2012.csv", label: "cnt", onnx: "bike_mlp.onnx", out: "v2.onnx", format: "json" }, io);
 * ```
 */
export async function runLearnOnnx(values: LearnOnnxValues, io: CliIo): Promise<number> {
  const intOption = (value: string | undefined, option: string, min: number, fallback: number) => {
    if (value === undefined) return fallback;
    const n = numberOption(value, option, { min, max: 1e9 });
    if (!Number.isInteger(n)) throw usage(`${option} must be a whole number, got "${value}"`, option);
    return n;
  };
  const options: Required<MlpFineTuneOptions> = {
    epochs: intOption(values.epochs, "--epochs", 0, DEFAULT_MLP_FINE_TUNE.epochs),
    learningRate:
      values.rate === undefined
        ? DEFAULT_MLP_FINE_TUNE.learningRate
        : numberOption(values.rate, "--rate", { min: 0, max: 1e3, open: true }),
    batchSize: DEFAULT_MLP_FINE_TUNE.batchSize,
    l1: values.l1 === undefined ? 0 : numberOption(values.l1, "--l1", { min: 0, max: 1e12 }),
    l2: values.l2 === undefined ? 0 : numberOption(values.l2, "--l2", { min: 0, max: 1e12 }),
    seed: intOption(values.seed, "--seed", 0, DEFAULT_MLP_FINE_TUNE.seed),
    validationFraction:
      values.validation === undefined
        ? DEFAULT_MLP_FINE_TUNE.validationFraction
        : numberOption(values.validation, "--validation", { min: 0, max: 0.9 }),
  };
  const holdout =
    values.holdout === undefined
      ? 0.2
      : numberOption(values.holdout, "--holdout", { min: 0, max: 1, open: true });
  if (values.out !== undefined) await checkOut(values.out);

  const bytes = await readModel(values.onnx);
  const found = readOnnxMlp(bytes);
  const excluded = new Set([values.label, ...(values.weights === undefined ? [] : [values.weights])]);
  if (values.features !== undefined)
    for (const name of values.features)
      if (excluded.has(name))
        throw usage(`--features includes the column "${name}" of --label or --weights`, "--features");
  // Every column is read as a number: features, the target (a class index for a classifier), the weights.
  const wanted = values.features === undefined ? undefined : [...values.features, ...excluded];
  const table = await readTable(values.data, {
    ...(wanted === undefined ? {} : { columns: wanted }),
    numeric: new Set(wanted ?? []),
    text: new Set(),
  });
  for (const name of excluded)
    if (!table.columns.has(name))
      throw columnMissingError(
        table.source,
        name,
        name === values.label ? "--label" : "--weights",
        table.columnNames,
      );
  const features = values.features ?? table.columnNames.filter((name) => !excluded.has(name));
  if (features.length !== found.inputWidth)
    throw usage(
      `the model takes ${found.inputWidth} inputs but ${features.length} feature columns were given (${features.slice(0, 6).join(", ")}${features.length > 6 ? ", …" : ""})`,
      "--features",
      `list the model's ${found.inputWidth} input columns in its order with --features A,B,…`,
    );
  const n = table.rowCount;
  const numericColumn = (name: string) => {
    const column = table.columns.get(name)!;
    if (column.kind !== "numeric") {
      const line = column.codes.findIndex(
        (code) => code >= 0 && Number.isNaN(Number(column.categories[code])),
      );
      throw new TikTokToeError("INPUT_NOT_NUMERIC", `column "${name}" has text; the MLP reads numbers only`, {
        file: table.source,
        column: name,
        ...(line >= 0 ? { line: line + 2 } : {}),
        hint: "encode the column as numbers in the model's own encoding first",
      });
    }
    for (let r = 0; r < n; r++)
      if (!Number.isFinite(column.values[r]!))
        throw new TikTokToeError("INPUT_NOT_NUMERIC", `a missing or non-finite value`, {
          file: table.source,
          line: r + 2,
          column: name,
          hint: "the MLP needs every feature, the target and the weight on every row: drop or impute the row",
        });
    return column.values;
  };
  const columns = features.map(numericColumn);
  const rows = Array.from({ length: n }, (_, r) => columns.map((values) => values[r]!));
  const targets = Array.from(numericColumn(values.label));
  if (found.head !== "regression")
    targets.forEach((t, r) => {
      if (!(Number.isInteger(t) && t >= 0 && t < found.classes))
        throw new TikTokToeError(
          "INPUT_BAD_LABEL",
          `the label ${t} is not a class index of this ${found.classes}-class model (0 … ${found.classes - 1})`,
          {
            file: table.source,
            line: r + 2,
            column: values.label,
            hint: "give the index of the class's output",
          },
        );
    });
  const weights = values.weights === undefined ? undefined : Array.from(numericColumn(values.weights));
  const held = Math.floor(n * holdout);
  const cut = n - held;
  if (cut < 1 || held < 1)
    throw usage(
      `${n} rows leave ${cut} to learn from and ${held} to judge with --holdout ${holdout}`,
      "--holdout",
      "give a longer stream or another --holdout",
    );

  const result = fineTuneOnnxMlp(bytes, rows.slice(0, cut), targets.slice(0, cut), {
    ...options,
    ...(weights === undefined ? {} : { weights: weights.slice(0, cut) }),
  });
  const tail = rows.slice(cut);
  const tailTargets = targets.slice(cut);
  const metric = found.head === "regression" ? "mae" : "accuracy";
  const score = (out: Float32Array) => {
    if (metric === "mae") return tailTargets.reduce((s, t, r) => s + Math.abs(out[r]! - t), 0) / held;
    let right = 0;
    const k = found.outputWidth;
    tailTargets.forEach((t, r) => {
      let best = 0;
      if (k === 1) best = out[r]! > 0.5 ? 1 : 0;
      else for (let j = 1; j < k; j++) if (out[r * k + j]! > out[r * k + best]!) best = j;
      if (best === t) right++;
    });
    return right / held;
  };
  const before = score(await runModel(bytes, tail));
  const after = score(await runModel(result.onnx, tail));
  if (values.out !== undefined) await writeBytesAtomic(values.out, result.onnx);
  const report: LearnOnnxReport = {
    model: values.onnx,
    out: values.out ?? null,
    head: found.head,
    features,
    rows: n,
    trained_rows: cut,
    holdout_rows: held,
    metric,
    before,
    after,
    epochs_run: result.epochsRun,
    train_loss: result.trainLoss,
    validation_loss: result.validationLoss,
    start_validation_loss: result.startValidationLoss,
    options,
  };
  io.stdout.write(values.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
  return exitCodes.ok;
}

/** onnxruntime's outputs for `rows` (the first graph output, flat). */
async function runModel(bytes: Uint8Array, rows: readonly number[][]): Promise<Float32Array> {
  const graph = decodeModel(bytes).graph!;
  const width = rows[0]!.length;
  const data = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    data.set(row, r * width);
  });
  const session = await openSession(bytes);
  try {
    const out = await session.run({ [graph.input[0]!.name!]: { data, dims: [rows.length, width] } });
    return out[graph.output[0]!.name!]!.data as Float32Array;
  } finally {
    await session.release();
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
          : "cannot read it",
      { file, path: "--onnx", hint: "give the path of an .onnx model file" },
    );
  }
}

/** Fails before the work when `--out` cannot be written: a missing folder, or a folder given as the file. */
async function checkOut(file: string): Promise<void> {
  const folder = await stat(dirname(file)).catch(() => undefined);
  if (folder === undefined || !folder.isDirectory())
    throw usage(
      `--out ${file}: the folder ${dirname(file)} does not exist`,
      "--out",
      "create the folder first",
    );
  if ((await stat(file).catch(() => undefined))?.isDirectory() === true)
    throw usage(`--out ${file} is a folder`, "--out", "give the path of the new .onnx file");
}

/** A temporary file beside `file`, then a rename: a failed run never leaves half a model. */
async function writeBytesAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw usage(
      `cannot write ${file}: ${String((error as { code?: unknown }).code ?? "unknown error")}`,
      "--out",
      "give --out a path in a folder you can write to",
    );
  }
}

function renderTable(report: LearnOnnxReport): string {
  const digits = report.metric === "mae" ? 2 : 4;
  const lines = [
    ["model", `${report.model} (${report.head})`],
    ["rows", `${report.trained_rows} learned, ${report.holdout_rows} held out (the stream's tail)`],
    [`held-out ${report.metric}`, `${report.before.toFixed(digits)} → ${report.after.toFixed(digits)}`],
    ["epochs run", `${report.epochs_run} of ${report.options.epochs}`],
    [
      "validation loss",
      report.validation_loss === null
        ? "none (--validation 0)"
        : `${report.start_validation_loss!.toPrecision(5)} → ${report.validation_loss.toPrecision(5)}`,
    ],
    ["written", report.out ?? "nothing (no --out)"],
  ];
  const width = Math.max(...lines.map(([k]) => k!.length));
  return `${lines.map(([k, v]) => `${k!.padEnd(width)}  ${v}`).join("\n")}\n`;
}

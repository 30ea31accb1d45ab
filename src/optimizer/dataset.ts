import { readTable } from "../data/index.js";
import { columnMissingError, TikTokToeError } from "../errors/index.js";
import type { ModelSignature } from "./signature.js";
import type { OptimizationData } from "./technique.js";

/**
 * How to turn a table into the model's input: the label column, the feature columns (default: all
 * but the label, in file order), a factor every feature is multiplied by, and the task.
 *
 * @example
 * ```ts
 * const options: DatasetOptions = { label: "target", inputScale: 1 / 16, task: "auto" };
 * ```
 */
export interface DatasetOptions {
  readonly label: string;
  readonly features?: readonly string[];
  /** Multiplies every feature (digits models take pixel / 16: 0.0625). Default 1. */
  readonly inputScale?: number;
  /** `auto`: classification when the output has more than one value per row, else regression. */
  readonly task?: "auto" | "classification" | "regression";
  /** Called with bytes read and the file's size. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Reads a CSV or NDJSON table into {@link OptimizationData} shaped for `signature`'s input: the
 * feature columns fill each row's `width` values in order (a [batch, 1, 8, 8] input takes 64
 * columns). Every problem is an expected error naming the file, the column and the line:
 * INPUT_COLUMN_MISSING (label or a feature absent), USAGE (more or fewer feature columns than the
 * input takes, a task the output cannot have), INPUT_NOT_NUMERIC (a text feature, a missing value,
 * a class label that is not an integer in [0, classes)).
 *
 * @example
 * ```ts
 * const data = await loadOptimizationData("data/digits/digits.csv", signature, { label: "target", inputScale: 0.0625 });
 * data.width; // 64
 * ```
 */
export async function loadOptimizationData(
  file: string,
  signature: ModelSignature,
  options: DatasetOptions,
): Promise<OptimizationData & { readonly features: readonly string[] }> {
  const table = await readTable(
    file,
    options.onProgress === undefined ? {} : { onProgress: options.onProgress },
  );
  const names = table.columnNames;
  if (!table.columns.has(options.label)) throw columnMissingError(file, options.label, "--label", names);
  const features = options.features ?? names.filter((n) => n !== options.label);
  for (const f of features) if (!table.columns.has(f)) throw columnMissingError(file, f, "--features", names);
  if (features.includes(options.label))
    throw new TikTokToeError("USAGE", `the label column "${options.label}" is also in --features`, {
      path: "--features",
      hint: "leave the label out of --features",
    });
  const { width, shape, name } = signature.input;
  if (features.length !== width) {
    const more = features.length > width;
    throw new TikTokToeError(
      "USAGE",
      `${file} has ${features.length} feature column${features.length === 1 ? "" : "s"} (${options.features === undefined ? `every column but the label "${options.label}"` : "from --features"}) but the model's input "${name}" [${shape.map((d) => (d < 0 ? "batch" : d)).join(", ")}] takes ${width} per row`,
      {
        file,
        path: options.features === undefined ? "--label" : "--features",
        hint: more
          ? `name the ${width} columns the model reads, in its order, with --features a,b,…`
          : "the file lacks some of the model's features; check --label and --features",
      },
    );
  }
  const task = resolveTask(options.task ?? "auto", signature);
  const rows = table.rowCount;
  const scale = options.inputScale ?? 1;
  const x = new Float32Array(rows * width);
  features.forEach((feature, j) => {
    const column = table.columns.get(feature)!;
    if (column.kind !== "numeric")
      throw new TikTokToeError("INPUT_NOT_NUMERIC", `feature column "${feature}" holds text`, {
        file,
        column: feature,
        hint: "the model's input is float32: encode the column as numbers, or leave it out with --features",
      });
    const values = column.values;
    for (let r = 0; r < rows; r++) {
      const v = values[r]!;
      if (Number.isNaN(v)) throw missingValue(file, feature, r);
      x[r * width + j] = v * scale;
    }
  });
  const labelColumn = table.columns.get(options.label)!;
  if (labelColumn.kind !== "numeric")
    throw new TikTokToeError(
      "INPUT_NOT_NUMERIC",
      `label column "${options.label}" holds text; optimize needs class indices 0…k−1 or numeric targets`,
      { file, column: options.label, path: "--label" },
    );
  const labels = Float64Array.from(labelColumn.values);
  const classes = task === "classification" ? (signature.output.width ?? maxLabel(labels) + 1) : 0;
  for (let r = 0; r < rows; r++) {
    const y = labels[r]!;
    if (Number.isNaN(y)) throw missingValue(file, options.label, r);
    if (task === "classification" && !(Number.isInteger(y) && y >= 0 && y < classes))
      throw new TikTokToeError(
        "INPUT_NOT_NUMERIC",
        `label ${y} is not a class index in [0, ${classes}) (the output "${signature.output.name}" has ${classes} values per row)`,
        {
          file,
          line: r + 2,
          column: options.label,
          hint: "give class indices 0…k−1 in the model's output order, or --task regression",
        },
      );
  }
  return { x, rows, width, labels, task, classes, features };
}

function resolveTask(
  task: "auto" | "classification" | "regression",
  signature: ModelSignature,
): "classification" | "regression" {
  const outWidth = signature.output.width;
  if (task === "auto") {
    if (outWidth === undefined)
      throw new TikTokToeError(
        "USAGE",
        `cannot tell the task from the output "${signature.output.name}" (its last dimension is symbolic)`,
        { path: "--task", hint: "say --task classification or --task regression" },
      );
    return outWidth > 1 ? "classification" : "regression";
  }
  if (task === "regression" && outWidth !== undefined && outWidth !== 1)
    throw new TikTokToeError(
      "USAGE",
      `--task regression needs one output value per row; "${signature.output.name}" has ${outWidth}`,
      { path: "--task" },
    );
  if (task === "classification" && outWidth === 1)
    throw new TikTokToeError(
      "USAGE",
      `--task classification needs one score per class; "${signature.output.name}" has one value per row`,
      { path: "--task" },
    );
  return task;
}

function maxLabel(labels: Float64Array): number {
  let max = 0;
  for (const y of labels) if (y > max) max = y;
  return Math.floor(max);
}

function missingValue(file: string, column: string, row: number): TikTokToeError {
  return new TikTokToeError(
    "INPUT_NOT_NUMERIC",
    "missing value; optimize needs every feature and the label",
    {
      file,
      line: row + 2,
      column,
      hint: "drop or impute the rows with missing values first",
    },
  );
}

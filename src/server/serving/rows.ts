import { TikTokToeError } from "../../errors/index.js";
import type { ModelRecord } from "../../store/index.js";

/** Rows of a predict request, checked against the model's schema and laid out for the model. */
export interface PredictRows {
  readonly rows: number;
  /** Row-major float32 [rows, features], the schema's features in schema order. */
  readonly matrix: Float32Array;
  /** Each row as sent (features and sensitive attributes), for the recorded event. */
  readonly records: ReadonlyArray<Record<string, number | string | null>>;
}

/**
 * Checks rows by feature name against a model's schema and builds the model's input. Every feature
 * (role `feature`) must be present as a finite number (categorical ones as their numeric codes);
 * sensitive attributes may be present (recorded, not fed); any other name is refused. The first
 * problem is a REQUEST_INVALID naming the row and the field.
 *
 * @example
 * ```ts
 * const { matrix } = predictRows(record, [{ temp: 0.3, hum: 0.8 }]);
 * ```
 */
export function predictRows(
  record: ModelRecord,
  inputs: ReadonlyArray<Readonly<Record<string, unknown>>>,
): PredictRows {
  const { features, known } = layoutOf(record);
  const matrix = new Float32Array(inputs.length * features.length);
  const records: Array<Record<string, number | string | null>> = [];
  const invalid = (path: string, message: string, hint: string) =>
    new TikTokToeError("REQUEST_INVALID", message, { path, hint });
  for (const [i, row] of inputs.entries()) {
    for (const name of Object.keys(row))
      if (!known.has(name))
        throw invalid(
          `inputs.${i}.${name}`,
          `row ${i}: "${name}" is not a column of model "${record.name}"`,
          `send exactly its features: ${features.map((f) => f.name).join(", ")}`,
        );
    const kept: Record<string, number | string | null> = {};
    for (const [k, feature] of features.entries()) {
      const value = Object.hasOwn(row, feature.name) ? row[feature.name] : undefined;
      if (value === undefined || value === null)
        throw invalid(
          `inputs.${i}.${feature.name}`,
          `row ${i} lacks the feature "${feature.name}"`,
          "every feature of the schema is needed: the model has no missing-value input",
        );
      if (typeof value !== "number" || !Number.isFinite(value))
        throw invalid(
          `inputs.${i}.${feature.name}`,
          `row ${i}: "${feature.name}" must be a finite number, not ${JSON.stringify(value)}`,
          feature.type === "categorical" ? "send the category's numeric code" : "send a number",
        );
      matrix[i * features.length + k] = value;
      kept[feature.name] = value;
    }
    for (const f of record.features)
      if (f.role === "sensitive" && Object.hasOwn(row, f.name)) {
        const v = row[f.name];
        if (v !== null && typeof v !== "string" && typeof v !== "number")
          throw invalid(
            `inputs.${i}.${f.name}`,
            `row ${i}: "${f.name}" must be a string, a number or null`,
            "",
          );
        kept[f.name] = v as string | number | null;
      }
    records.push(kept);
  }
  return { rows: inputs.length, matrix, records };
}

type Layout = { features: ModelRecord["features"]; known: Map<string, ModelRecord["features"][number]> };
/** Per model record (a changed schema is a new record): what every request would otherwise rebuild. */
const layouts = new WeakMap<ModelRecord, Layout>();

function layoutOf(record: ModelRecord): Layout {
  let layout = layouts.get(record);
  if (layout === undefined) {
    layout = {
      features: record.features.filter((f) => f.role === "feature"),
      known: new Map(record.features.map((f) => [f.name, f])),
    };
    layouts.set(record, layout);
  }
  return layout;
}

/** A model output read per row: the prediction and, for a classifier, the scores by class. */
export interface RowOutput {
  readonly prediction: number | string;
  readonly scores: readonly number[] | null;
}

/**
 * Reads a model's first tensor output: a regression's one value per row, a classifier's one score
 * per class (the prediction is the highest). A width that does not fit the schema is ONNX_UNSUPPORTED.
 *
 * @example
 * ```ts
 * readOutputs(record, Float32Array.of(0.2, 0.8), 1); // [{ prediction: "1", scores: [0.2, 0.8] }]
 * ```
 */
export function readOutputs(record: ModelRecord, data: ArrayLike<number>, rows: number): RowOutput[] {
  const width = rows === 0 ? 0 : data.length / rows;
  const out: RowOutput[] = [];
  if (record.task === "regression") {
    if (width !== 1)
      throw new TikTokToeError(
        "ONNX_UNSUPPORTED",
        `a regression model must give one value per row, not ${width}`,
      );
    for (let i = 0; i < rows; i++) out.push({ prediction: Number(data[i]), scores: null });
    return out;
  }
  const classes = record.classes ?? [];
  if (width !== classes.length)
    throw new TikTokToeError(
      "ONNX_UNSUPPORTED",
      `the model gives ${width} scores per row; the schema declares ${classes.length} classes`,
    );
  for (let i = 0; i < rows; i++) {
    const scores: number[] = [];
    let best = 0;
    for (let c = 0; c < width; c++) {
      scores.push(Number(data[i * width + c]));
      if (scores[c]! > scores[best]!) best = c;
    }
    out.push({ prediction: classes[best]!, scores });
  }
  return out;
}

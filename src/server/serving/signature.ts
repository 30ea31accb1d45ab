import type { Feeds, FeedTensor, TensorData, TensorValue, ValueDescription } from "../../onnx/index.js";

/**
 * How a served model's inputs and outputs map to the model's schema — pure, decided once when a
 * version is uploaded or its session opened. Models come from many exporters: PyTorch and Keras give
 * one float tensor `[rows, features]`; scikit-learn (skl2onnx) gives one input per column or a double
 * matrix, an int64 `label` beside `probabilities`; some take int64 codes. Serving binds what it can
 * and names what it cannot, so an upload fails with the reason instead of a request failing later.
 */

/** The numeric element types serving feeds (categorical features arrive as numeric codes). */
export type FeedType = "float32" | "float64" | "int32" | "int64";

/** How rows are fed: one matrix in schema order, or one column tensor per feature. */
export type InputBinding =
  | { readonly kind: "matrix"; readonly name: string; readonly type: FeedType }
  | {
      readonly kind: "columns";
      readonly columns: ReadonlyArray<{
        readonly name: string;
        readonly type: FeedType;
        /** The feature's position in the schema's feature order. */
        readonly feature: number;
        /** `[rows]` (1) or `[rows, 1]` (2). */
        readonly rank: 1 | 2;
      }>;
    };

/** Which output answers and how: per-class scores, one positive-class probability, or a value. */
export interface OutputBinding {
  readonly name: string;
  /** `scores`: one per class; `positive`: a binary model's P(class 1), one per row; `value`: regression. */
  readonly kind: "scores" | "positive" | "value";
}

/** A model's binding to the schema. */
export interface ServingSignature {
  readonly input: InputBinding;
  readonly output: OutputBinding;
}

/** What the binding needs of the model's schema. */
export interface SignatureSchema {
  /** The features fed to the model, in schema order. */
  readonly features: readonly string[];
  readonly task: "binary" | "multiclass" | "regression";
  readonly classes?: readonly string[];
}

const FEEDABLE = new Set<string>(["float32", "float64", "int32", "int64"]);
const FLOATS = new Set<string>(["float32", "float64"]);

/** The dimension after the batch one, or null when the shape does not say. */
function secondDim(shape: readonly (number | string)[]): number | null {
  const d = shape[1];
  return typeof d === "number" ? d : null;
}

/**
 * Binds a model's declared inputs and outputs to the schema, or returns the reason it cannot (for
 * `ONNX_UNSUPPORTED`). Inputs: one 2-D numeric tensor whose width is the feature count (fed in schema
 * order), or one numeric tensor per feature, named as the feature, shaped `[rows]` or `[rows, 1]`.
 * Outputs: a float tensor of one score per class (a name with "prob" or "score" preferred over
 * others, so scikit-learn's int64 `label` is passed over), a single probability column for a binary
 * model, or one value per row for a regression.
 *
 * @example
 * ```ts
 * const bound = bindSignature(session.inputs, session.outputs, { features: ["x", "y"], task: "regression" });
 * if (typeof bound === "string") throw new TikTokToeError("ONNX_UNSUPPORTED", bound);
 * ```
 */
export function bindSignature(
  inputs: readonly ValueDescription[],
  outputs: readonly ValueDescription[],
  schema: SignatureSchema,
): ServingSignature | string {
  const input = bindInputs(inputs, schema.features);
  if (typeof input === "string") return input;
  const output = bindOutput(outputs, schema);
  if (typeof output === "string") return output;
  return { input, output };
}

function bindInputs(inputs: readonly ValueDescription[], features: readonly string[]): InputBinding | string {
  const list = inputs.map((i) => `${i.name} ${i.type ?? "non-tensor"}[${i.shape.join(", ")}]`).join(", ");
  if (inputs.length === 0) return "the model declares no inputs";
  for (const i of inputs)
    if (!i.isTensor || i.type === undefined || !FEEDABLE.has(i.type))
      return `input "${i.name}" is ${i.isTensor ? `a ${i.type} tensor` : "not a tensor"}; serving feeds numeric tensors (float32, float64, int32, int64) — categorical features as their codes`;
  if (inputs.length === 1 && !features.includes(inputs[0]!.name)) {
    const only = inputs[0]!;
    const width = secondDim(only.shape);
    if (only.shape.length !== 2 || (width !== null && width !== features.length))
      return `input "${only.name}" has shape [${only.shape.join(", ")}]; the schema has ${features.length} features, so [rows, ${features.length}] (fed in schema order) or one input per feature named as the feature is needed`;
    return { kind: "matrix", name: only.name, type: only.type as FeedType };
  }
  // One input per feature (scikit-learn's per-column inputs), each named as its feature.
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const missing = features.filter((f) => !byName.has(f));
  const extra = inputs.filter((i) => !features.includes(i.name)).map((i) => i.name);
  if (missing.length > 0 || extra.length > 0)
    return `the model's inputs (${list}) do not match the schema's features one to one${
      missing.length > 0 ? `; no input for ${missing.map((m) => `"${m}"`).join(", ")}` : ""
    }${extra.length > 0 ? `; inputs not in the schema: ${extra.map((m) => `"${m}"`).join(", ")}` : ""}`;
  const columns = [];
  for (const [feature, name] of features.entries()) {
    const i = byName.get(name)!;
    const width = secondDim(i.shape);
    if (i.shape.length > 2 || (i.shape.length === 2 && width !== null && width !== 1))
      return `input "${name}" has shape [${i.shape.join(", ")}]; a per-feature input must be [rows] or [rows, 1]`;
    columns.push({ name, type: i.type as FeedType, feature, rank: (i.shape.length === 1 ? 1 : 2) as 1 | 2 });
  }
  return { kind: "columns", columns };
}

function bindOutput(outputs: readonly ValueDescription[], schema: SignatureSchema): OutputBinding | string {
  const floats = outputs.filter((o) => o.isTensor && o.type !== undefined && FLOATS.has(o.type));
  const zipmap = outputs.some((o) => !o.isTensor);
  const list = outputs.map((o) => `${o.name} ${o.isTensor ? (o.type ?? "") : "sequence/map"}`).join(", ");
  const preferred = (candidates: readonly ValueDescription[]) =>
    candidates.find((o) => /prob|score/i.test(o.name)) ?? candidates[0];
  if (schema.task === "regression") {
    const values = floats.filter(
      (o) =>
        o.shape.length <= 1 ||
        (o.shape.length === 2 && (secondDim(o.shape) === 1 || secondDim(o.shape) === null)),
    );
    const chosen = values.find((o) => /variable|pred|output|value/i.test(o.name)) ?? values[0];
    if (chosen === undefined)
      return `a regression model must output one float value per row ([rows] or [rows, 1]); its outputs are ${list}`;
    return { name: chosen.name, kind: "value" };
  }
  const classes = schema.classes?.length ?? 0;
  const scores = floats.filter((o) => o.shape.length === 2 && secondDim(o.shape) === classes);
  const open = floats.filter((o) => o.shape.length === 2 && secondDim(o.shape) === null);
  const chosen = preferred(scores) ?? preferred(open);
  if (chosen !== undefined) return { name: chosen.name, kind: "scores" };
  if (schema.task === "binary") {
    const single = floats.filter((o) => o.shape.length === 1 || secondDim(o.shape) === 1);
    const positive = preferred(single);
    if (positive !== undefined) return { name: positive.name, kind: "positive" };
  }
  if (zipmap)
    return `the model's class probabilities are a sequence of maps (scikit-learn's ZipMap); export it with zipmap disabled (skl2onnx: options={"zipmap": False}) so they are a float tensor [rows, ${classes}]`;
  return `the model has no float output of ${classes} scores per row (one per declared class); its outputs are ${list}`;
}

/**
 * The feeds for `rows` rows of `matrix` (row-major, schema order, `width` features per row), in the
 * types and shapes the binding says. Integer inputs get the values rounded (categorical codes).
 *
 * @example
 * ```ts
 * const result = await session.run(feedsFor(signature, matrix, rows, width), [signature.output.name]);
 * ```
 */
export function feedsFor(
  signature: ServingSignature,
  matrix: Float32Array,
  rows: number,
  width: number,
): Feeds {
  const input = signature.input;
  if (input.kind === "matrix") return { [input.name]: tensorOf(input.type, matrix, [rows, width], (i) => i) };
  const feeds: Record<string, FeedTensor> = {};
  for (const column of input.columns)
    feeds[column.name] = tensorOf(
      column.type,
      matrix,
      column.rank === 1 ? [rows] : [rows, 1],
      (r) => r * width + column.feature,
      rows,
    );
  return feeds;
}

function tensorOf(
  type: FeedType,
  matrix: Float32Array,
  dims: number[],
  at: (i: number) => number,
  count = matrix.length,
): FeedTensor {
  // The common case — the whole float32 matrix — is fed as it is, without a copy.
  if (type === "float32" && count === matrix.length && at(1) === 1) return { type, data: matrix, dims };
  let data: TensorData;
  if (type === "float32" || type === "float64") {
    const out = type === "float32" ? new Float32Array(count) : new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = matrix[at(i)]!;
    data = out;
  } else if (type === "int32") {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = Math.round(matrix[at(i)]!);
    data = out;
  } else {
    const out = new BigInt64Array(count);
    for (let i = 0; i < count; i++) out[i] = BigInt(Math.round(matrix[at(i)]!));
    data = out;
  }
  return { type, data, dims };
}

/**
 * The chosen output as per-class scores, row-major (`classes` per row), or one value per row for a
 * regression: a binary model's single probability column becomes [1 − p, p].
 *
 * @example
 * ```ts
 * const scores = scoresOf(signature, result, rows); // Float64Array of rows × classes
 * ```
 */
export function scoresOf(
  signature: ServingSignature,
  result: Record<string, TensorValue>,
  rows: number,
): ArrayLike<number> {
  const data = result[signature.output.name]!.data as ArrayLike<number>;
  if (signature.output.kind !== "positive") return data;
  const out = new Float64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    const p = Number(data[r]);
    out[2 * r] = 1 - p;
    out[2 * r + 1] = p;
  }
  return out;
}

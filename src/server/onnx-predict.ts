import { TikTokToeError } from "../errors/index.js";
import type { ReferenceColumn } from "../monitor/index.js";
import { type OnnxSession, openSession } from "../onnx/index.js";
import type { ModelRecord } from "../store/index.js";

/**
 * Runs a version's ONNX model over reference rows, for the reference's predictions when the upload
 * has no `prediction` column. The convention (docs/configuration.md): the model has one input taking
 * float32 [rows, k] — the schema's feature columns (role `feature`) in schema order, categorical
 * values as numeric codes — and its first output is the prediction: [rows] or [rows, 1] for a
 * regression, [rows, classes] scores for a classifier (the predicted class is the highest score).
 *
 * @example
 * ```ts
 * const predictions = await predictWithOnnx(model, onnxBytes, columns, rows);
 * ```
 */
export async function predictWithOnnx(
  model: ModelRecord,
  onnx: Uint8Array,
  columns: Readonly<Record<string, ReferenceColumn>>,
  rows: number,
): Promise<ReferenceColumn> {
  const features = model.features.filter((f) => f.role === "feature");
  const input = new Float32Array(rows * features.length);
  features.forEach((feature, k) => {
    const values = columns[feature.name];
    if (values === undefined)
      throw new TikTokToeError("REQUEST_INVALID", `the reference lacks "${feature.name}"`, {
        path: feature.name,
      });
    for (let i = 0; i < rows; i++) {
      const v = values instanceof Float64Array ? values[i]! : Number(values[i] ?? Number.NaN);
      if (Number.isNaN(v) && !(values instanceof Float64Array) && values[i] !== null)
        throw new TikTokToeError(
          "REQUEST_INVALID",
          `column "${feature.name}" must hold numeric codes to feed the ONNX model`,
          {
            path: feature.name,
            hint: "add a prediction column to the reference, or encode the categories as numbers",
          },
        );
      input[i * features.length + k] = v;
    }
  });
  const session = await openOnnxModel(onnx);
  try {
    const data = await session.run(input, rows, features.length);
    const width = data.length / rows;
    if (model.task === "regression") {
      if (width !== 1)
        throw new TikTokToeError(
          "REQUEST_INVALID",
          `a regression model's first output must have one value per row, not ${width}`,
        );
      return Float64Array.from(data);
    }
    const classes = model.classes;
    if (classes === undefined || width !== classes.length)
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `a classifier's first output must have one score per declared class (${classes?.length ?? 0}), not ${width}`,
      );
    return Array.from({ length: rows }, (_, i) => {
      let best = 0;
      for (let c = 1; c < width; c++) if (data[i * width + c]! > data[i * width + best]!) best = c;
      return classes[best]!;
    });
  } catch (error) {
    if (error instanceof TikTokToeError) throw error;
    throw new TikTokToeError(
      "REQUEST_INVALID",
      `the ONNX model does not run on the reference: ${(error as Error).message}`,
      {
        cause: error,
        hint: "the model must take float32 [rows, features] in schema order",
      },
    );
  } finally {
    await session.release();
  }
}

/** A loaded ONNX model that takes float32 [rows, k] and gives its first output as a flat array. */
export interface OnnxModel {
  run(input: Float32Array, rows: number, columns: number): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * Loads a version's ONNX artifact through the onnx/ runtime adapter (onnxruntime-node, imported on
 * first use). A file that does not load is a REQUEST_INVALID naming why.
 *
 * @example
 * ```ts
 * const model = await openOnnxModel(bytes);
 * const scores = await model.run(rows, n, k);
 * await model.release();
 * ```
 */
export async function openOnnxModel(onnx: Uint8Array): Promise<OnnxModel> {
  let session: OnnxSession;
  try {
    session = await openSession(onnx);
  } catch (error) {
    throw new TikTokToeError(
      "REQUEST_INVALID",
      `the version's ONNX artifact does not load: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const inputName = session.inputs[0]!.name;
  const outputName = session.outputs[0]!.name;
  return {
    async run(input, rows, columns) {
      const outputs = await session.run({ [inputName]: { data: input, dims: [rows, columns] } }, [
        outputName,
      ]);
      return Float32Array.from(outputs[outputName]!.data as ArrayLike<number>);
    },
    release: () => session.release(),
  };
}

/** Standard base64 (RFC 4648 §4), padded or not; whitespace is not accepted inside the JSON string. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/**
 * Checks a version's `onnx` field before anything is stored: a base64 string of an ONNX model that
 * onnxruntime loads. Node's base64 decoder skips characters it does not know, so a wrong encoding
 * would otherwise be stored as garbage; protobuf that is not a model, empty or truncated files, fail
 * here as `ONNX_INVALID` with onnxruntime's reason.
 *
 * @example
 * ```ts
 * const bytes = await validateOnnxUpload(body.onnx); // Uint8Array, or throws ONNX_INVALID
 * ```
 */
export async function validateOnnxUpload(encoded: unknown): Promise<Uint8Array> {
  const invalid = (message: string, hint: string, cause?: unknown) =>
    new TikTokToeError("ONNX_INVALID", message, {
      path: "onnx",
      hint,
      ...(cause === undefined ? {} : { cause }),
    });
  if (typeof encoded !== "string")
    throw invalid("onnx must be a string: the model file's bytes in base64", "base64-encode the .onnx file");
  if (encoded.length === 0) throw invalid("onnx is empty", "base64-encode the .onnx file");
  if (!BASE64.test(encoded))
    throw invalid(
      "onnx is not base64 (RFC 4648, standard alphabet)",
      "encode the file with base64 (e.g. `base64 -w0 model.onnx`), not base64url or hex",
    );
  const bytes = new Uint8Array(Buffer.from(encoded, "base64"));
  try {
    const session = await openSession(bytes);
    await session.release();
  } catch (error) {
    throw invalid(
      `onnx does not load in onnxruntime: ${firstLine((error as Error).message)}`,
      "upload the complete .onnx file exported by your framework (a truncated or non-model file fails here)",
      error,
    );
  }
  return bytes;
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

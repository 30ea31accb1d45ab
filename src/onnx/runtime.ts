import { TikTokToeError } from "../errors/index.js";

/**
 * The adapter over onnxruntime-node: sessions for any input signature. It is a superset of
 * `server/onnx-predict.ts`'s `openOnnxModel` (one float32 [rows, k] input, first output), which the
 * server's callers can move to: `openSession(bytes)` then `run({ [inputs[0].name]: { type:
 * "float32", data, dims: [rows, k] } })`.
 *
 * onnxruntime-node is imported on the first `openSession`, so code that reads or edits models
 * without running them (the codec, the checker, the optimizer's planning) never loads its 45 MB
 * native library.
 */

/**
 * Element types onnxruntime-node can feed and fetch, in its spelling.
 *
 * @example
 * ```ts
 * const type: ElementType = "int64";
 * ```
 */
export type ElementType =
  | "float32"
  | "float64"
  | "float16"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "bool"
  | "string";

/**
 * The typed arrays that carry each element type (bool in a Uint8Array, float16 as Uint16Array bits).
 *
 * @example
 * ```ts
 * const data: TensorData = BigInt64Array.of(1n, 2n);
 * ```
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | readonly string[];

/**
 * A tensor to feed or fetched: values in row-major order and the dimensions.
 *
 * @example
 * ```ts
 * const logits: TensorValue = (await session.run(feeds)).logits!; // { type: "float32", data, dims: [rows, 10] }
 * ```
 */
export interface TensorValue {
  readonly type: ElementType;
  readonly data: TensorData;
  readonly dims: readonly number[];
}

/**
 * A feed; `type` may be left out where the array says it (not for bool or float16).
 *
 * @example
 * ```ts
 * const feed: FeedTensor = { data: Float32Array.from(pixels), dims: [rows, 64] };
 * ```
 */
export interface FeedTensor {
  readonly type?: ElementType;
  readonly data: TensorData;
  readonly dims: readonly number[];
}

/**
 * Named feeds for one run.
 *
 * @example
 * ```ts
 * const feeds: Feeds = { ids: { data: BigInt64Array.of(3n), dims: [1] }, mask: { type: "bool", data: Uint8Array.of(1), dims: [1] } };
 * ```
 */
export type Feeds = Readonly<Record<string, FeedTensor>>;

/**
 * An input or output as the model declares it.
 *
 * @example
 * ```ts
 * session.inputs[0]; // { name: "input", isTensor: true, type: "float32", shape: ["batch", 64] }
 * ```
 */
export interface ValueDescription {
  readonly name: string;
  /** False for sequences and maps (e.g. scikit-learn's ZipMap output). */
  readonly isTensor: boolean;
  /** The element type, for tensors. */
  readonly type?: string;
  /** Dimensions: a number, or a string for a symbolic one (`"batch"`); empty when undeclared. */
  readonly shape: readonly (number | string)[];
}

/**
 * Session options that matter for measurement and calibration (research notes §7).
 *
 * @example
 * ```ts
 * await openSession(bytes, { graphOptimizationLevel: "all", intraOpNumThreads: 1, executionMode: "sequential" });
 * ```
 */
export interface SessionOptions {
  /** `disabled` for calibration (fusions would remove the tensors), `all` to measure. */
  readonly graphOptimizationLevel?: "disabled" | "basic" | "extended" | "layout" | "all";
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
  readonly executionMode?: "sequential" | "parallel";
  /** Session config entries (`session.intra_op.allow_spinning` …); values are strings in Node. */
  readonly sessionConfig?: Readonly<Record<string, string>>;
  /** Writes the optimized graph here (shows what a quantized model fused into). */
  readonly optimizedModelFilePath?: string;
}

/**
 * An open model. `release()` frees onnxruntime's memory; it is safe to call twice.
 *
 * @example
 * ```ts
 * const session = await openSession(bytes, { graphOptimizationLevel: "all", intraOpNumThreads: 1 });
 * try {
 *   const out = await session.run({ input: { data: pixels, dims: [rows, 64] } }, ["logits"]);
 * } finally {
 *   await session.release();
 * }
 * ```
 */
export interface OnnxSession {
  readonly inputs: readonly ValueDescription[];
  readonly outputs: readonly ValueDescription[];
  /** Runs the model; `fetches` limits the outputs computed and returned (all when omitted). */
  run(feeds: Feeds, fetches?: readonly string[]): Promise<Record<string, TensorValue>>;
  release(): Promise<void>;
}

/** The slice of onnxruntime-node this adapter uses (Kysely's narrow-driver-interface pattern). */
interface OrtTensor {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly OrtValueMetadata[];
  readonly outputMetadata: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>, fetches: string[]): Promise<Record<string, unknown>>;
  release(): Promise<void>;
}
interface OrtModule {
  readonly InferenceSession: { create(model: Uint8Array, options: object): Promise<OrtSession> };
  readonly Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
}

let ortModule: Promise<OrtModule> | undefined;

function loadOrt(): Promise<OrtModule> {
  ortModule ??= import("onnxruntime-node").then((m) => m as unknown as OrtModule);
  return ortModule;
}

/**
 * Opens a model from its bytes. A model onnxruntime cannot load is ONNX_INVALID with its reason.
 *
 * @example
 * ```ts
 * const session = await openSession(readFileSync("models/digits_cnn.onnx"));
 * session.inputs[0]; // { name: "image", isTensor: true, type: "float32", shape: ["batch", 1, 8, 8] }
 * ```
 */
export async function openSession(model: Uint8Array, options: SessionOptions = {}): Promise<OnnxSession> {
  const ort = await loadOrt();
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(model, ortOptions(options));
  } catch (error) {
    throw new TikTokToeError("ONNX_INVALID", `onnxruntime cannot load the model: ${firstLine(error)}`, {
      cause: error,
      hint: "check the file with `python3 -c \"import onnx; onnx.checker.check_model('model.onnx')\"`",
    });
  }
  let released = false;
  return {
    inputs: session.inputMetadata.map(describe),
    outputs: session.outputMetadata.map(describe),
    async run(feeds, fetches) {
      if (released) throw new TikTokToeError("INTERNAL", "run() on a released ONNX session");
      const ortFeeds: Record<string, OrtTensor> = {};
      for (const [name, feed] of Object.entries(feeds)) {
        const type = feed.type ?? inferType(feed.data, name);
        try {
          ortFeeds[name] = new ort.Tensor(type, feed.data, feed.dims);
        } catch (error) {
          throw new TikTokToeError("ONNX_RUN_FAILED", `input "${name}": ${firstLine(error)}`, {
            cause: error,
          });
        }
      }
      let result: Record<string, unknown>;
      try {
        result = await session.run(ortFeeds, [...(fetches ?? session.outputNames)]);
      } catch (error) {
        throw new TikTokToeError("ONNX_RUN_FAILED", `onnxruntime cannot run the model: ${firstLine(error)}`, {
          cause: error,
          hint: "compare the feeds with the session's inputs (names, element types, shapes)",
        });
      }
      const out: Record<string, TensorValue> = {};
      for (const [name, value] of Object.entries(result)) out[name] = toTensorValue(name, value);
      return out;
    },
    async release() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}

function ortOptions(options: SessionOptions): object {
  const { sessionConfig, ...rest } = options;
  return {
    ...rest,
    ...(sessionConfig === undefined ? {} : { extra: { session: sessionConfig } }),
  };
}

function describe(m: OrtValueMetadata): ValueDescription {
  return m.isTensor
    ? {
        name: m.name,
        isTensor: true,
        ...(m.type === undefined ? {} : { type: m.type }),
        shape: [...(m.shape ?? [])],
      }
    : { name: m.name, isTensor: false, shape: [] };
}

function inferType(data: TensorData, name: string): ElementType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof BigUint64Array) return "uint64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint32Array) return "uint32";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Int16Array) return "int16";
  if (Array.isArray(data)) return "string";
  // Uint8Array is uint8 or bool, Uint16Array is uint16 or float16: the caller must say which.
  throw new TikTokToeError(
    "ONNX_RUN_FAILED",
    `input "${name}": a ${data.constructor.name} may hold more than one element type`,
    { hint: 'give the feed a type ("uint8" or "bool", "uint16" or "float16")' },
  );
}

function toTensorValue(name: string, value: unknown): TensorValue {
  const t = value as Partial<OrtTensor> | null;
  if (t === null || typeof t !== "object" || typeof t.type !== "string" || t.dims === undefined)
    throw new TikTokToeError(
      "ONNX_UNSUPPORTED",
      `output "${name}" is not a tensor (a sequence or map); fetch a tensor output instead`,
    );
  return { type: t.type as ElementType, data: t.data as TensorData, dims: [...t.dims] };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

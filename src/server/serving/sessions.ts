import { TikTokToeError } from "../../errors/index.js";
import { type OnnxSession, openSession, type ValueDescription } from "../../onnx/index.js";
import type { ModelRecord } from "../../store/index.js";
import {
  bindSignature,
  feedsFor,
  type ServingSignature,
  type SignatureSchema,
  scoresOf,
} from "./signature.js";

/**
 * A loaded version: its session, the input it feeds, the output it reads, and how many requests are
 * running on it (a retired session is released only once the last of them has finished, so a version
 * switch never fails a request in flight).
 */
export interface LoadedVersion {
  readonly model: string;
  readonly version: string;
  readonly session: OnnxSession;
  /** How the schema's rows feed the model and which output answers. */
  readonly signature: ServingSignature;
  /** Values per row the input takes (the schema's feature count). */
  readonly width: number;
  inFlight: number;
  retired: boolean;
}

/** What a version's binding needs of its model's schema: the fed features in order, task, classes. */
export function signatureSchema(record: ModelRecord): SignatureSchema {
  let schema = schemas.get(record);
  if (schema === undefined) {
    schema = {
      features: record.features.filter((f) => f.role === "feature").map((f) => f.name),
      task: record.task,
      ...(record.classes === undefined ? {} : { classes: record.classes }),
    };
    schemas.set(record, schema);
  }
  return schema;
}

/** Per model record (a changed schema is a new record): every predict asks for it. */
const schemas = new WeakMap<ModelRecord, SignatureSchema>();

/**
 * Why a model cannot be served under a schema (for `ONNX_UNSUPPORTED`), or null: see
 * {@link bindSignature} for the signatures it binds.
 *
 * @example
 * ```ts
 * servingProblem(session.inputs, session.outputs, signatureSchema(record)); // null for breast_cancer_mlp.onnx
 * ```
 */
export function servingProblem(
  inputs: readonly ValueDescription[],
  outputs: readonly ValueDescription[],
  schema: SignatureSchema,
): string | null {
  const bound = bindSignature(inputs, outputs, schema);
  return typeof bound === "string" ? bound : null;
}

/**
 * Runs `rows` rows of a schema-ordered float32 matrix through a session under its binding and
 * returns the chosen output as scores (row-major, one per class) or values.
 *
 * @example
 * ```ts
 * const scores = await runBound(session, signature, matrix, rows, width);
 * ```
 */
export async function runBound(
  session: OnnxSession,
  signature: ServingSignature,
  matrix: Float32Array,
  rows: number,
  width: number,
): Promise<ArrayLike<number>> {
  const result = await session.run(feedsFor(signature, matrix, rows, width), [signature.output.name]);
  return scoresOf(signature, result, rows);
}

export class ServingSessions {
  private readonly loaded = new Map<string, Promise<LoadedVersion>>();

  async acquire(
    model: string,
    version: string,
    bytes: () => Promise<Uint8Array | undefined>,
    schema: SignatureSchema,
  ): Promise<LoadedVersion> {
    const key = `${model}\u0000${version}`;
    let pending = this.loaded.get(key);
    if (pending === undefined) {
      pending = this.open(model, version, bytes, schema);
      this.loaded.set(key, pending);
      // A failed load is not cached: the next request tries again (the artifact may be uploaded now).
      pending.catch(() => {
        if (this.loaded.get(key) === pending) this.loaded.delete(key);
      });
    }
    const loaded = await pending;
    loaded.inFlight++;
    return loaded;
  }

  release(loaded: LoadedVersion): void {
    loaded.inFlight--;
    if (loaded.retired && loaded.inFlight === 0) void loaded.session.release();
  }

  /** Drops a version: new requests open it again; its session is released once idle. */
  retire(model: string, version: string): void {
    const key = `${model}\u0000${version}`;
    const pending = this.loaded.get(key);
    if (pending === undefined) return;
    this.loaded.delete(key);
    pending.then(
      (loaded) => {
        loaded.retired = true;
        if (loaded.inFlight === 0) void loaded.session.release();
      },
      () => undefined,
    );
  }

  /** Versions with a session, as `model/version`. */
  versions(): string[] {
    return [...this.loaded.keys()].map((k) => k.replace("\u0000", "/"));
  }

  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    for (const pending of all) {
      try {
        await (await pending).session.release();
      } catch {
        // A version that never loaded has nothing to release.
      }
    }
  }

  private async open(
    model: string,
    version: string,
    bytes: () => Promise<Uint8Array | undefined>,
    schema: SignatureSchema,
  ): Promise<LoadedVersion> {
    const onnx = await bytes();
    if (onnx === undefined)
      throw new TikTokToeError("NOT_SERVING", `version "${version}" of "${model}" has no ONNX model`, {
        hint: `upload it: PUT /v1/models/${model}/versions/${version}/model`,
      });
    // One thread per session: the server serves many small requests at once, and onnxruntime's
    // default pool (a thread per core) would make them fight for the cores.
    const session = await openSession(onnx, { intraOpNumThreads: 1, graphOptimizationLevel: "all" });
    const signature = bindSignature(session.inputs, session.outputs, schema);
    if (typeof signature === "string") {
      await session.release();
      throw new TikTokToeError("ONNX_UNSUPPORTED", signature);
    }
    return {
      model,
      version,
      session,
      signature,
      width: schema.features.length,
      inFlight: 0,
      retired: false,
    };
  }
}

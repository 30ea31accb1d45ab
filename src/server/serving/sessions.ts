import { TikTokToeError } from "../../errors/index.js";
import { type OnnxSession, openSession, type ValueDescription } from "../../onnx/index.js";

/**
 * A loaded version: its session, the input it feeds, the output it reads, and how many requests are
 * running on it (a retired session is released only once the last of them has finished, so a version
 * switch never fails a request in flight).
 */
export interface LoadedVersion {
  readonly model: string;
  readonly version: string;
  readonly session: OnnxSession;
  readonly inputName: string;
  readonly outputName: string;
  /** Values per row the input takes (the schema's feature count). */
  readonly width: number;
  inFlight: number;
  retired: boolean;
}

/**
 * Checks that a model can serve a schema: one float32 tensor input of shape [rows, k] with k the
 * number of features (a symbolic or absent row dimension), and a tensor output. The problem, if any,
 * in words (null: it fits).
 *
 * @example
 * ```ts
 * servingProblem(session.inputs, session.outputs, 30); // null for breast_cancer_mlp.onnx
 * ```
 */
export function servingProblem(
  inputs: readonly ValueDescription[],
  outputs: readonly ValueDescription[],
  features: number,
): string | null {
  if (inputs.length !== 1)
    return `the model takes ${inputs.length} inputs (${inputs.map((i) => i.name).join(", ")}); serving feeds one float32 [rows, features] tensor`;
  const input = inputs[0]!;
  if (!input.isTensor || input.type !== "float32")
    return `input "${input.name}" is ${input.type ?? "not a tensor"}; serving feeds float32`;
  const k = input.shape[1];
  if (input.shape.length !== 2 || (typeof k === "number" && k !== features))
    return `input "${input.name}" has shape [${input.shape.join(", ")}]; the model's schema has ${features} features, so [rows, ${features}] is needed`;
  const output = outputs.find((o) => o.isTensor);
  if (output === undefined) return "the model has no tensor output";
  return null;
}

/**
 * Sessions per (model, version), opened once from the stored artifact and shared by every request.
 * Bounded by what serves: the deployment service retires versions that leave production, canary and
 * shadow.
 *
 * @example
 * ```ts
 * const lease = await sessions.acquire("m", "v1", () => store.getArtifact("m", "v1", "onnx"), 30);
 * try { await lease.session.run(feeds); } finally { sessions.release(lease); }
 * ```
 */
export class ServingSessions {
  private readonly loaded = new Map<string, Promise<LoadedVersion>>();

  async acquire(
    model: string,
    version: string,
    bytes: () => Promise<Uint8Array | undefined>,
    features: number,
  ): Promise<LoadedVersion> {
    const key = `${model}\u0000${version}`;
    let pending = this.loaded.get(key);
    if (pending === undefined) {
      pending = this.open(model, version, bytes, features);
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
    features: number,
  ): Promise<LoadedVersion> {
    const onnx = await bytes();
    if (onnx === undefined)
      throw new TikTokToeError("NOT_SERVING", `version "${version}" of "${model}" has no ONNX model`, {
        hint: `upload it: PUT /v1/models/${model}/versions/${version}/model`,
      });
    // One thread per session: the server serves many small requests at once, and onnxruntime's
    // default pool (a thread per core) would make them fight for the cores.
    const session = await openSession(onnx, { intraOpNumThreads: 1, graphOptimizationLevel: "all" });
    const problem = servingProblem(session.inputs, session.outputs, features);
    if (problem !== null) {
      await session.release();
      throw new TikTokToeError("ONNX_UNSUPPORTED", problem);
    }
    return {
      model,
      version,
      session,
      inputName: session.inputs[0]!.name,
      outputName: session.outputs.find((o) => o.isTensor)!.name,
      width: features,
      inFlight: 0,
      retired: false,
    };
  }
}

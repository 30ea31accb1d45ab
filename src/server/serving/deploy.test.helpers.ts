import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeModel, encodeModel, float32Tensor, tensorToFloat32 } from "../../onnx/index.js";
import { seededRandom } from "../../stats/index.js";
import { repoPath } from "../../testing/paths.js";
import { type RunningServer, startServer } from "../start.js";

/** Fixtures of the deployment tests (#14): the breast-cancer model, its data, a serving server. */

export const ORIGINAL = new Uint8Array(readFileSync(repoPath("models", "breast_cancer_mlp.onnx")));
const CSV = readFileSync(repoPath("data", "breast_cancer", "breast_cancer.csv"), "utf8")
  .trim()
  .split("\n");
export const COLUMNS = CSV[0]!.split(",").slice(0, 30) as string[];
export const ROWS = CSV.slice(1).map((line: string) => line.split(",").map(Number));

/** The model with every weight matrix perturbed by Gaussian noise of 4 × its RMS (seed 7): accuracy 0.67 on the data, 0.99 before. */
export function degradedModel(): Uint8Array {
  const model = decodeModel(ORIGINAL);
  const random = seededRandom(7);
  model.graph!.initializer = model.graph!.initializer.map((t) => {
    if (!/weight/.test(t.name ?? "")) return t;
    const w = tensorToFloat32(t);
    let ss = 0;
    for (const v of w) ss += v * v;
    const rms = Math.sqrt(ss / w.length);
    return float32Tensor(
      t.name ?? "",
      t.dims.map(Number),
      Float32Array.from(w, (v) => v + 4 * rms * random.normal()),
    );
  });
  return encodeModel(model);
}

export const T0 = Date.parse("2024-03-01T00:00:00Z");
export const PERIOD_MS = 300_000;

export async function call(
  server: RunningServer,
  method: string,
  path: string,
  body?: unknown,
  type = "application/json",
) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": type },
    ...(body === undefined
      ? {}
      : {
          body:
            body instanceof Uint8Array
              ? Buffer.from(body)
              : typeof body === "string" && type !== "application/json"
                ? body
                : JSON.stringify(body),
        }),
  });
  const text = await response.text();
  return { status: response.status, body: text.length > 0 ? JSON.parse(text) : null };
}

export async function ok(server: RunningServer, method: string, path: string, body?: unknown, type?: string) {
  const answer = await call(server, method, path, body, type);
  assert.ok(answer.status < 300, `${method} ${path} → ${answer.status}: ${JSON.stringify(answer.body)}`);
  // biome-ignore lint/suspicious/noExplicitAny: answers are read as plain JSON
  return answer.body as any;
}

/** A server with the model registered, v1 (the original) in production, and `candidate` uploaded. */
export async function servingFixture(
  dataDir: string,
  candidate: Uint8Array,
  options: { clock?: "wall" | "event"; now?: () => number; configFile?: string } = {},
): Promise<RunningServer> {
  const server = await startServer({
    port: 0,
    dataDir,
    clock: options.clock ?? "event",
    flushIntervalMs: 60_000,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.configFile === undefined ? {} : { configFile: options.configFile }),
  });
  await ok(server, "POST", "/v1/models", {
    name: "cancer",
    task: "binary",
    classes: ["0", "1"],
    features: COLUMNS.map((name) => ({ name, type: "numeric" })),
  });
  for (const [version, bytes] of [
    ["v1", ORIGINAL],
    ["v2", candidate],
  ] as const) {
    await ok(server, "POST", "/v1/models/cancer/versions", { version });
    await ok(server, "PUT", `/v1/models/cancer/versions/${version}/model`, bytes, "application/octet-stream");
  }
  await ok(server, "POST", "/v1/models/cancer/stages", { version: "v1", stage: "production", by: "test" });
  // Production serves before a rollout starts (with the event clock, its first request sets the clock).
  await ok(server, "POST", "/v1/models/cancer/predict", {
    input: row(0),
    ...((options.clock ?? "event") === "event" ? { time: T0 } : {}),
  });
  return server;
}

export const row = (i: number) => Object.fromEntries(COLUMNS.map((c, k) => [c, ROWS[i % ROWS.length]![k]!]));

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openSession } from "../onnx/index.js";
import { quantileSorted } from "../stats/index.js";
import { repoPath } from "../testing/paths.js";
import { exited, spawnServe } from "../testing/serve-process.js";
import { machineLine } from "./machine.js";
import { writeBenchSection } from "./report-file.js";

/**
 * `npm run bench -- serving` (issue #14): the serving overhead — p99 of `POST /predict` (HTTP on
 * loopback, validation, the model run, the event recorded through the monitor's ingest) minus p99 of
 * a bare `session.run` on the same rows at batch 1 — and a version switch under load.
 */

const REQUESTS = 3000;
const p = (values: number[], q: number) => quantileSorted(Float64Array.from(values).sort(), q);

export async function runServingBench(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const onnx = new Uint8Array(readFileSync(repoPath("models", "breast_cancer_mlp.onnx")));
  const lines = readFileSync(repoPath("data", "breast_cancer", "breast_cancer.csv"), "utf8")
    .trim()
    .split("\n");
  const columns = lines[0]!.split(",").slice(0, 30);
  const rows = lines.slice(1).map((l) => l.split(",").slice(0, 30).map(Number));

  // Bare session.run, the same options as the server's sessions.
  const session = await openSession(onnx, { intraOpNumThreads: 1, graphOptimizationLevel: "all" });
  const input = session.inputs[0]!.name;
  const bare: number[] = [];
  for (let i = 0; i < REQUESTS + 300; i++) {
    const data = Float32Array.from(rows[i % rows.length]!);
    const start = performance.now();
    await session.run({ [input]: { data, dims: [1, 30] } });
    if (i >= 300) bare.push(performance.now() - start);
  }
  await session.release();

  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-bench-serving-"));
  const { child, url } = await spawnServe(["--data-dir", dir, "--port", "0"]);
  try {
    const post = (path: string, body: unknown, type = "application/json") =>
      fetch(`${url}${path}`, {
        method: path.endsWith("/model") ? "PUT" : "POST",
        headers: { "content-type": type },
        body: body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body),
      });
    await post("/v1/models", {
      name: "cancer",
      task: "binary",
      classes: ["0", "1"],
      features: columns.map((name) => ({ name, type: "numeric" })),
    });
    for (const v of ["v1", "v2"]) {
      await post("/v1/models/cancer/versions", { version: v });
      await post(`/v1/models/cancer/versions/${v}/model`, onnx, "application/octet-stream");
    }
    await post("/v1/models/cancer/stages", { version: "v1", stage: "production" });
    const body = (i: number) => ({
      input: Object.fromEntries(columns.map((c, k) => [c, rows[i % rows.length]![k]!])),
    });
    // One keep-alive connection through node:http (Node's fetch adds its own ~0.3 ms per request on
    // the client side, which is not the server's overhead).
    const target = new URL(url);
    const timed = (method: string, path: string, payload: (i: number) => string | undefined) =>
      timeRoundTrips(target.hostname, Number(target.port), method, path, payload);
    // The machine's floor: the same client and server on a route that does nothing.
    const floor = await timed("GET", "/healthz", () => undefined);
    const served = await timed("POST", "/v1/models/cancer/predict", (i) => JSON.stringify(body(i)));
    const loopback = await bareHttpRoundTrips();

    // A version switch under load: 8 clients, production moved between v1 and v2 every 100 ms.
    let running = true;
    let ok = 0;
    let failed = 0;
    const client = async (w: number) => {
      for (let i = 0; running; i++) {
        const response = await post("/v1/models/cancer/predict", body(w * 1000 + i));
        await response.arrayBuffer();
        if (response.ok) ok++;
        else failed++;
      }
    };
    const clients = Array.from({ length: 8 }, (_, w) => client(w));
    let switches = 0;
    for (let s = 0; s < 20; s++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const answer = await post("/v1/models/cancer/stages", {
        version: s % 2 === 0 ? "v2" : "v1",
        stage: "production",
      });
      await answer.arrayBuffer();
      if (answer.ok) switches++;
    }
    running = false;
    await Promise.all(clients);

    const bareP99 = p(bare, 0.99);
    const servedP99 = p(served, 0.99);
    const fmt = (x: number) => x.toFixed(3);
    const table = `| measure | p50 (ms) | p99 (ms) |
|---|---:|---:|
| bare \`session.run\`, batch 1 | ${fmt(p(bare, 0.5))} | ${fmt(bareP99)} |
| a bare node:http server answering \`{}\` in the bench process (no TikTokToe: the machine's loopback floor) | ${fmt(p(loopback, 0.5))} | ${fmt(p(loopback, 0.99))} |
| \`GET /healthz\` (the same client and server; the floor for any route of the server) | ${fmt(p(floor, 0.5))} | ${fmt(p(floor, 0.99))} |
| \`POST /v1/models/cancer/predict\`, batch 1 (client-side, loopback HTTP) | ${fmt(p(served, 0.5))} | ${fmt(servedP99)} |
| **serving overhead** (predict − bare) | ${fmt(p(served, 0.5) - p(bare, 0.5))} | **${fmt(servedP99 - bareP99)}** |
| predict − bare − /healthz (what serving adds to an empty route) | ${fmt(p(served, 0.5) - p(bare, 0.5) - p(floor, 0.5))} | ${fmt(servedP99 - bareP99 - p(floor, 0.99))} |

Target (issue #14): serving overhead p99 ≤ 1 ms — ${servedP99 - bareP99 <= 1 ? "**met**" : "**not met in this run**"}.

Version switch under load: ${switches} switches of production (v1 ↔ v2, every 100 ms) while 8 clients predicted: ${ok} requests answered, **${failed} failed**.`;
    console.log(table);
    writeBenchSection(
      "serving",
      `## Serving (issue #14)

Command: \`npm run bench -- serving\` · machine: ${machineLine()} · ${new Date().toISOString().slice(0, 10)}

\`models/breast_cancer_mlp.onnx\` served by \`tiktoktoe serve\` (a child process, SQLite store, wall clock),
${REQUESTS} sequential requests of one row each after 300 warm-up requests; the predict time includes the HTTP round
trip on loopback (node:http, one keep-alive connection), validation, routing, the run on the cached session (one intra-op thread, as in the
server) and the answer; the event is recorded durably after the answer, in a group commit every 250 ms (the default;
\`--record-before-answer\` waits for it). The bare run is the same session options in the bench process.
Load average when the run started: ${loadAtStart.toFixed(1)} (1 min) on ${cpus().length} cores.

${table}`,
    );
  } finally {
    child.kill("SIGTERM");
    await exited(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Times REQUESTS round trips (after 300 warm-up ones) over one keep-alive node:http connection; any
 * answer but 200 stops the bench.
 */
async function timeRoundTrips(
  host: string,
  port: number,
  method: string,
  path: string,
  payload: (i: number) => string | undefined,
): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const request = (body: string | undefined) =>
    new Promise<number>((resolve, reject) => {
      const sent = http.request(
        { host, port, path, method, agent, headers: { "content-type": "application/json" } },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      sent.on("error", reject);
      sent.end(body);
    });
  const times: number[] = [];
  try {
    for (let i = 0; i < REQUESTS + 300; i++) {
      const start = performance.now();
      const status = await request(payload(i));
      if (status !== 200) throw new Error(`${path} answered ${status}`);
      if (i >= 300) times.push(performance.now() - start);
    }
  } finally {
    agent.destroy();
  }
  return times;
}

/** Round trips to a node:http server that does nothing (the machine's loopback floor), in ms. */
async function bareHttpRoundTrips(): Promise<number[]> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await timeRoundTrips(
      "127.0.0.1",
      (server.address() as { port: number }).port,
      "GET",
      "/",
      () => undefined,
    );
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { openPool } from "../store/postgres/driver.js";
import { seededRandom } from "../testing/random.js";
import { exited, spawnServe } from "../testing/serve-process.js";
import { TEST_NATS_URL, TEST_PG_URL, tcpOpen } from "../testing/services.js";
import { machineLine } from "./machine.js";
import { writeBenchSection } from "./report-file.js";

/**
 * `npm run bench -- scale-out` (issue #16): events per second accepted over HTTP by 1 and by 2 API
 * replicas (`serve --role api`) on PostgreSQL + NATS JetStream, with a worker (`--role worker`)
 * writing to the store at the same time, beside the single-process SQLite server on the same events;
 * and how fast the worker drains what the API replicas acknowledged into PostgreSQL. Every process,
 * the load generator, PostgreSQL and nats-server share this machine's cores.
 */

const FEATURES = 20;
const BATCH = 1000;
const BATCHES = Number(process.env.TIKTOKTOE_BENCH_BATCHES ?? 200);
const IN_FLIGHT = 4;

interface Phase {
  readonly name: string;
  readonly replicas: number;
  readonly eventsPerS: number;
  readonly perReplica: number;
  readonly p99Ms: number;
  readonly drainedPerS: number | null;
}

function bodies(seed: number): string[] {
  const rng = seededRandom(seed);
  const base = 1_700_000_000_000;
  const out: string[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const lines: string[] = [];
    for (let i = 0; i < BATCH; i++) {
      const n = b * BATCH + i;
      const features: Record<string, number> = {};
      for (let f = 0; f < FEATURES; f++) features[`f${f}`] = Math.round(rng.normal() * 1e4) / 1e4;
      lines.push(
        JSON.stringify({
          id: `e${seed}-${n}`,
          time: base + n * 10,
          version: "1",
          features,
          prediction: features.f0,
        }),
      );
    }
    out.push(lines.join("\n"));
  }
  return out;
}

async function post(url: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  if (!response.ok && response.status !== 409) throw new Error(`${path} answered ${response.status}`);
}

/** Sends every body, IN_FLIGHT at a time per URL, round robin; the rate of acknowledged events. */
async function load(urls: readonly string[], all: readonly string[]): Promise<{ rate: number; p99: number }> {
  let next = 0;
  let accepted = 0;
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    urls.flatMap((url) =>
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < all.length) {
          const body = all[next++]!;
          const t = performance.now();
          const response = await fetch(`${url}/v1/models/bench/events`, {
            method: "POST",
            headers: { "content-type": "application/x-ndjson" },
            body,
          });
          const answer = (await response.json()) as { accepted?: number };
          latencies.push(performance.now() - t);
          if (response.status !== 200 && response.status !== 202)
            throw new Error(`ingest answered ${response.status}: ${JSON.stringify(answer)}`);
          accepted += answer.accepted ?? 0;
        }
      }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: accepted / seconds, p99: latencies[Math.floor(0.99 * (latencies.length - 1))]! };
}

async function register(url: string): Promise<void> {
  const features = Array.from({ length: FEATURES }, (_, f) => ({ name: `f${f}`, type: "numeric" }));
  await post(url, "/v1/models", { name: "bench", task: "regression", features });
  await post(url, "/v1/models/bench/versions", { version: "1" });
}

export async function runScaleOutBench(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const natsHost = new URL(TEST_NATS_URL);
  const pgHost = new URL(TEST_PG_URL);
  if (
    !(await tcpOpen(natsHost.hostname, Number(natsHost.port || 4222))) ||
    !(await tcpOpen(pgHost.hostname, Number(pgHost.port || 5432)))
  ) {
    console.log("scale-out bench: skipped — needs PostgreSQL (postgresql) and NATS JetStream (nats-server)");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-replicas-bench-"));
  const children: ChildProcess[] = [];
  const schemas: string[] = [];
  const spawn = async (args: string[]) => {
    const { child, url } = await spawnServe(["--port", "0", "--clock", "event", ...args]);
    children.push(child);
    return url;
  };
  const stopAll = async () => {
    for (const child of children.splice(0)) {
      child.kill("SIGTERM");
      await exited(child);
    }
  };
  const phases: Phase[] = [];
  try {
    // The single process on SQLite, as everyone starts.
    const single = await spawn(["--data-dir", join(dir, "single")]);
    await register(single);
    const one = await load([single], bodies(1));
    phases.push({
      name: "one process, SQLite (no queue)",
      replicas: 1,
      eventsPerS: one.rate,
      perReplica: one.rate,
      p99Ms: one.p99,
      drainedPerS: null,
    });
    await stopAll();

    for (const replicas of [1, 2]) {
      const schema = `tt_bench_${randomBytes(4).toString("hex")}`;
      schemas.push(schema);
      const store = `${TEST_PG_URL}?schema=${schema}`;
      const queue = `${TEST_NATS_URL}?deployment=bench_${schema}`;
      const common = ["--store", store, "--queue", queue];
      await spawn([...common, "--role", "worker", "--data-dir", join(dir, `${schema}-w`)]);
      const apis: string[] = [];
      for (let r = 0; r < replicas; r++)
        apis.push(await spawn([...common, "--role", "api", "--data-dir", join(dir, `${schema}-a${r}`)]));
      await register(apis[0]!);
      const started = performance.now();
      const measured = await load(apis, bodies(10 + replicas));
      // Drained: every acknowledged event is in the store's event index.
      const pool = await openPool({ url: TEST_PG_URL, schema, poolSize: 1 });
      let drainedPerS: number | null = null;
      try {
        const total = BATCHES * BATCH;
        for (let waited = 0; waited < 300_000; waited += 250) {
          const result = await pool.query<{ n: string }>("SELECT count(*) AS n FROM event_index");
          if (Number(result.rows[0]!.n) >= total) {
            drainedPerS = total / ((performance.now() - started) / 1000);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      } finally {
        await pool.end();
      }
      phases.push({
        name: `${replicas} API replica${replicas > 1 ? "s" : ""} + 1 worker, PostgreSQL + JetStream`,
        replicas,
        eventsPerS: measured.rate,
        perReplica: measured.rate / replicas,
        p99Ms: measured.p99,
        drainedPerS,
      });
      await stopAll();
    }
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
    if (schemas.length > 0) {
      const pool = await openPool({ url: TEST_PG_URL, schema: "public", poolSize: 1 });
      for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  }
  const fmt = (x: number) => Math.round(x).toLocaleString("en");
  const table = [
    "| deployment | events/s acknowledged | per API replica | request p99 (ms) | stored in PostgreSQL (events/s, end to end) |",
    "|---|---:|---:|---:|---:|",
    ...phases.map(
      (p) =>
        `| ${p.name} | ${fmt(p.eventsPerS)} | ${fmt(p.perReplica)} | ${p.p99Ms.toFixed(1)} | ${p.drainedPerS === null ? "— (stored before the answer)" : fmt(p.drainedPerS)} |`,
    ),
  ].join("\n");
  console.log(table);
  const target = phases.filter((p) => p.drainedPerS !== null).every((p) => p.perReplica >= 100_000);
  writeBenchSection(
    "scale-out",
    `## Scale-out replicas (issue #16): API replicas on PostgreSQL + JetStream

Command: \`npm run bench -- scale-out\` · machine: ${machineLine()} · ${new Date().toISOString().slice(0, 10)} ·
load average when it started: ${loadAtStart.toFixed(1)} on ${cpus().length} cores

${fmt(BATCHES * BATCH)} events (${FEATURES} numeric features) per deployment in batches of ${BATCH.toLocaleString("en")}
(NDJSON over HTTP, ${IN_FLIGHT} requests in flight per replica, round robin), from this process. The API replicas
validate each batch and answer 202 once JetStream acknowledged it; one worker pulls and writes to PostgreSQL at the
same time. Every process, PostgreSQL 15 and nats-server share the machine's cores. The last column is the
end-to-end rate: all events in the store's index, from the first request.

${table}

Target ≥ 100,000 events/s per API replica: ${target ? "**met**" : "**not met in this run**"}.`,
  );
}

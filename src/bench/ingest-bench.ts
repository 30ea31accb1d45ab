import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqlite } from "../store/sqlite/driver.js";
import { seededRandom } from "../testing/random.js";
import { spawnServe } from "../testing/serve-process.js";
import { machineLine } from "./machine.js";
import { writeBenchSection } from "./report-file.js";

const FEATURES = 20;
const BATCH = 1000;
const BATCHES = 300;
const CONCURRENCY = Number(process.env.TIKTOKTOE_BENCH_CONCURRENCY ?? 2);

const startServer = (dataDir: string) =>
  spawnServe(["--data-dir", dataDir, "--port", "0", "--clock", "event"]);

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

/**
 * `npm run bench -- ingest`: events per second over HTTP (batches of 1,000 events with 20 features,
 * NDJSON, 4 requests in flight) from this process into `tiktoktoe serve` running as a child
 * process, with request latency percentiles; and, as the reference, SQLite's raw insert rate of the
 * same rows (one row per event, 1,000 per transaction) measured in the same run.
 *
 * @example
 * ```ts
 * await runIngestBench();
 * ```
 */
export async function runIngestBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-ingest-bench-"));
  const rng = seededRandom(99);
  const base = 1_700_000_000_000;
  console.log(`ingest bench: generating ${BATCHES} batches of ${BATCH} events …`);
  const rows: number[][] = [];
  const bodies: string[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const lines: string[] = [];
    for (let i = 0; i < BATCH; i++) {
      const n = b * BATCH + i;
      const values = Array.from({ length: FEATURES }, () => Math.round(rng.normal() * 1e4) / 1e4);
      rows.push(values);
      const features: Record<string, number> = {};
      values.forEach((v, f) => {
        features[`f${f}`] = v;
      });
      lines.push(
        JSON.stringify({
          id: `e${n}`,
          time: base + n * 10,
          version: "1",
          features,
          prediction: values[0]!,
          latency_ms: 1 + rng.uniform() * 20,
        }),
      );
    }
    bodies.push(lines.join("\n"));
  }

  // The reference: SQLite's raw insert rate for one row per event.
  const db = openSqlite(join(dir, "raw.db"));
  db.exec(
    `CREATE TABLE events (id TEXT PRIMARY KEY, time INTEGER, ${Array.from({ length: FEATURES }, (_, f) => `f${f} REAL`).join(", ")})`,
  );
  const insert = db.prepare(
    `INSERT INTO events VALUES (?, ?, ${Array.from({ length: FEATURES }, () => "?").join(", ")})`,
  );
  const insertMany = db.transaction((from: number) => {
    for (let i = from; i < from + BATCH; i++) insert.run(`e${i}`, base + i * 10, ...rows[i]!);
  });
  let t = performance.now();
  for (let b = 0; b < BATCHES; b++) insertMany(b * BATCH);
  const rawRate = (BATCHES * BATCH) / ((performance.now() - t) / 1000);
  db.close();

  const { child, url } = await startServer(join(dir, "server"));
  try {
    const features = Array.from({ length: FEATURES }, (_, f) => ({ name: `f${f}`, type: "numeric" }));
    await fetch(`${url}/v1/models`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", task: "regression", features }),
    });
    await fetch(`${url}/v1/models/bench/versions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ version: "1" }),
    });
    const latencies: number[] = [];
    let next = 0;
    let accepted = 0;
    t = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < BATCHES) {
          const body = bodies[next++]!;
          const start = performance.now();
          const response = await fetch(`${url}/v1/models/bench/events`, {
            method: "POST",
            headers: { "content-type": "application/x-ndjson" },
            body,
          });
          const answer = (await response.json()) as { accepted?: number };
          latencies.push(performance.now() - start);
          if (response.status !== 200) throw new Error(`ingest failed: ${JSON.stringify(answer)}`);
          accepted += answer.accepted ?? 0;
        }
      }),
    );
    const seconds = (performance.now() - t) / 1000;
    latencies.sort((a, b) => a - b);
    const rate = accepted / seconds;
    const rowsTable = [
      [
        "SQLite raw insert, one row per event (1,000 per transaction)",
        `${Math.round(rawRate).toLocaleString("en")} rows/s`,
      ],
      [
        `HTTP ingest into tiktoktoe serve (${CONCURRENCY} requests in flight)`,
        `${Math.round(rate).toLocaleString("en")} events/s`,
      ],
      ["request latency p50", `${percentile(latencies, 0.5).toFixed(1)} ms`],
      ["request latency p99", `${percentile(latencies, 0.99).toFixed(1)} ms`],
      ["events accepted", `${accepted.toLocaleString("en")} of ${(BATCHES * BATCH).toLocaleString("en")}`],
    ];
    const table = [
      "| measurement | value |",
      "|---|---:|",
      ...rowsTable.map((r) => `| ${r.join(" | ")} |`),
    ].join("\n");
    console.log(table);
    writeBenchSection(
      "ingest",
      `## Ingest: batches of 1,000 events with 20 features over HTTP

Command: \`npm run bench -- ingest\` · machine: ${machineLine()} · ${new Date().toISOString().slice(0, 10)}

The load generator (this process) and the server (\`tiktoktoe serve\`, a child process, SQLite in WAL
mode) share the machine's cores. Targets: ≥ 50,000 events/s with p99 < 100 ms, and beyond SQLite's
raw row-per-event insert rate measured in the same run.

${table}

What bounds it: each batch is parsed and validated as a whole, deduplicated by id in memory, and
appended to the log as one row (not one row per event), with every batch that arrives in the same
event-loop turn in one transaction; aggregation into windows runs after the commit. The JSON parsing
and validation of the request body is most of the server's time.
`,
    );
  } finally {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

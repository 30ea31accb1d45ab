import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { openJetStreamQueue } from "../queue/index.js";
import type { IngestAppend, Store } from "../store/index.js";
import { openPostgresStore, openSqliteStore } from "../store/index.js";
import { openPool } from "../store/postgres/driver.js";
import { seededRandom } from "../testing/random.js";
import { TEST_NATS_URL, TEST_PG_URL, tcpOpen } from "../testing/services.js";
import { machineLine } from "./machine.js";
import { writeBenchSection } from "./report-file.js";

const FEATURES = 20;
/** Events per batch: one HTTP request's worth, as in the ingest and state benchmarks. */
const BATCH = 1000;
const BATCHES = Number(process.env.TIKTOKTOE_BENCH_SCALE_BATCHES ?? 200);
/** Requests in flight, as in the state benchmark. */
const CONCURRENCY = 2;

interface Batch {
  readonly id: string;
  readonly ndjson: Uint8Array;
  readonly append: IngestAppend;
}

/** The batches: NDJSON as a client sends it, and the store append the server makes of it. */
function makeBatches(): Batch[] {
  const rng = seededRandom(16);
  const base = Date.UTC(2026, 0, 1);
  const out: Batch[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const lines: string[] = [];
    const events: Array<{
      index: { id: string; version: string; timeMs: number; join: string };
      source: string;
    }> = [];
    for (let i = 0; i < BATCH; i++) {
      const n = b * BATCH + i;
      const features: Record<string, number> = {};
      for (let f = 0; f < FEATURES; f++) features[`f${f}`] = Math.round(rng.normal() * 1e4) / 1e4;
      const timeMs = base + n * 100;
      const source = JSON.stringify({
        id: `e${n}`,
        time: timeMs,
        version: "1",
        features,
        prediction: features.f0,
      });
      lines.push(source);
      events.push({
        index: { id: `e${n}`, version: "1", timeMs, join: `{"prediction":${features.f0}}` },
        source,
      });
    }
    out.push({
      id: `batch-${b}`,
      ndjson: new TextEncoder().encode(lines.join("\n")),
      append: { kind: "events", model: "bench", receivedMs: base, events },
    });
  }
  return out;
}

/** Events per second appending every batch, one batch per call, CONCURRENCY calls in flight. */
async function ingestRate(store: Store, batches: readonly Batch[]): Promise<number> {
  await store.createModel({
    name: "bench",
    task: "regression",
    features: Array.from({ length: FEATURES }, (_, f) => ({
      name: `f${f}`,
      type: "numeric",
      role: "feature",
    })),
    createdMs: 0,
  });
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) await store.appendIngest([batches[next++]!.append]);
    }),
  );
  return (batches.length * BATCH) / ((performance.now() - t) / 1000);
}

/**
 * `npm run bench -- scale` (issue #16): events per second through the PostgreSQL store's ingest and
 * through JetStream's publish-and-acknowledge, beside the embedded SQLite store, with the same
 * batches (1,000 events of 20 numeric features, as one HTTP request carries) and two in flight.
 * PostgreSQL and NATS are the local ones the tests use (`TIKTOKTOE_TEST_PG`, `TIKTOKTOE_TEST_NATS`);
 * a part whose service is down is reported as such.
 *
 * @example
 * ```ts
 * await runScaleBench();
 * ```
 */
export async function runScaleBench(): Promise<void> {
  console.log(`scale bench: ${BATCHES} batches of ${BATCH} events …`);
  const load = loadavg()[0]!.toFixed(1);
  const batches = makeBatches();
  const megabytes = batches.reduce((n, b) => n + b.ndjson.byteLength, 0) / 2 ** 20;
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-scale-bench-"));
  const rows: string[][] = [];
  const rate = (n: number) => Math.round(n).toLocaleString("en");
  try {
    const sqlite = await openSqliteStore({ file: join(dir, "bench.db") });
    try {
      const r = await ingestRate(sqlite, batches);
      rows.push(["SQLite store (embedded, one process): appendIngest", rate(r)]);
      console.log(`  sqlite: ${rate(r)} events/s`);
    } finally {
      await sqlite.close();
    }

    const pg = new URL(TEST_PG_URL);
    if (await tcpOpen(pg.hostname, Number(pg.port || 5432))) {
      for (const stores of [1, 2]) {
        const schema = `tt_bench_${randomBytes(4).toString("hex")}`;
        const opened = await Promise.all(
          Array.from({ length: stores }, () => openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 4 })),
        );
        try {
          await opened[0]!.createModel({ name: "bench", task: "regression", features: [], createdMs: 0 });
          // Each store (a replica) appends its share of the batches, CONCURRENCY calls in flight each.
          let next = 0;
          const t = performance.now();
          await Promise.all(
            opened.flatMap((store) =>
              Array.from({ length: CONCURRENCY }, async () => {
                while (next < batches.length) await store.appendIngest([batches[next++]!.append]);
              }),
            ),
          );
          const r = (batches.length * BATCH) / ((performance.now() - t) / 1000);
          rows.push([
            `PostgreSQL store, ${stores} writer process${stores > 1 ? "es" : ""}: appendIngest`,
            rate(r),
          ]);
          console.log(`  postgres ×${stores}: ${rate(r)} events/s`);
        } finally {
          for (const store of opened) await store.close();
          const admin = await openPool({ url: TEST_PG_URL, schema: "public", poolSize: 1 });
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await admin.end();
        }
      }
      // The server's group commit: the requests that arrive together go to the store in one call.
      const schema = `tt_bench_${randomBytes(4).toString("hex")}`;
      const store = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 4 });
      try {
        await store.createModel({ name: "bench", task: "regression", features: [], createdMs: 0 });
        const GROUP = 8;
        const t = performance.now();
        for (let b = 0; b < batches.length; b += GROUP)
          await store.appendIngest(batches.slice(b, b + GROUP).map((x) => x.append));
        const r = (batches.length * BATCH) / ((performance.now() - t) / 1000);
        rows.push([`PostgreSQL store, 1 writer, ${GROUP} batches per call (group commit)`, rate(r)]);
        console.log(`  postgres grouped: ${rate(r)} events/s`);
      } finally {
        await store.close();
        const admin = await openPool({ url: TEST_PG_URL, schema: "public", poolSize: 1 });
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      }
    } else rows.push(["PostgreSQL store", `not measured: nothing listens at ${pg.host}`]);

    const nats = new URL(TEST_NATS_URL);
    if (await tcpOpen(nats.hostname, Number(nats.port || 4222))) {
      const deployment = `bench_${randomBytes(4).toString("hex")}`;
      const queue = await openJetStreamQueue({ url: TEST_NATS_URL, deployment });
      try {
        for (const inFlight of [1, 8]) {
          let next = 0;
          const t = performance.now();
          await Promise.all(
            Array.from({ length: inFlight }, async () => {
              while (next < batches.length) {
                const b = batches[next++]!;
                await queue.publish({ id: `${inFlight}-${b.id}`, payload: b.ndjson });
              }
            }),
          );
          const r = (batches.length * BATCH) / ((performance.now() - t) / 1000);
          rows.push([`JetStream publish + ack (file storage), ${inFlight} in flight`, rate(r)]);
          console.log(`  jetstream publish ×${inFlight}: ${rate(r)} events/s`);
        }
        // A worker: pull, acknowledge (the store write is measured above), as fast as it goes.
        const consumer = await queue.consumer("bench");
        let got = 0;
        const t = performance.now();
        while (got < 2 * batches.length) {
          const messages = await consumer.fetch(16, 1_000);
          if (messages.length === 0) break;
          await Promise.all(messages.map((m) => m.ack()));
          got += messages.length;
        }
        const r = (got * BATCH) / ((performance.now() - t) / 1000);
        rows.push(["JetStream pull + ack by one worker (16 per fetch)", rate(r)]);
        console.log(`  jetstream pull: ${rate(r)} events/s`);
      } finally {
        const { connect } = await import("@nats-io/transport-node");
        const { jetstreamManager } = await import("@nats-io/jetstream");
        await queue.close();
        const nc = await connect({ servers: TEST_NATS_URL.replace(/^nats:\/\//, "") });
        await (await jetstreamManager(nc)).streams.delete(`TIKTOKTOE_${deployment}`).catch(() => false);
        await nc.close();
      }
    } else rows.push(["JetStream", `not measured: nothing listens at ${nats.host}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const table = ["| path | events/s |", "|---|---:|", ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
  console.log(table);
  writeBenchSection(
    "scale",
    `## Scale-out: the PostgreSQL store and the JetStream ingest log

Command: \`npm run bench -- scale\` · machine: ${machineLine()} · ${new Date().toISOString().slice(0, 10)} ·
load average when it started: ${load} (the machine is shared; figures move with it)

${(BATCHES * BATCH).toLocaleString("en")} events (20 numeric features; ${megabytes.toFixed(0)} MiB of NDJSON) in
batches of ${BATCH.toLocaleString("en")} (one HTTP request's worth), ${CONCURRENCY} calls in flight per writer. The store rows
time \`appendIngest\` alone (dedup index + log row, one transaction per batch: the server's worst case,
since it groups the requests that arrive together into one call); the JetStream rows time
\`publish\` until JetStream's acknowledgement (the NDJSON as the message, the batch id as
\`Nats-Msg-Id\`), then one worker pulling and acknowledging. PostgreSQL 15 and nats-server 2.9 run on
the same machine as the benchmark, with their default settings (\`fsync\` on; JetStream's file store
writes each message before it acknowledges and syncs every 2 minutes).

${table}

Two PostgreSQL writers do not add up: appends take the log head's row lock first, so they commit one
at a time (the price of sequences in commit order; docs/scale-out.md). API replicas scale by
publishing to JetStream; the store write is the workers' and grows with batch size, not replicas.
`,
  );
}

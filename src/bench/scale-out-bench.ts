import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
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
/**
 * Batches sent before the timed ones (not counted in the rate): the replicas' first requests compile
 * their code and grow their heaps, which a server that runs for days does once.
 */
const WARMUP_BATCHES = 40;

interface Phase {
  readonly name: string;
  readonly replicas: number;
  readonly eventsPerS: number;
  readonly perReplica: number;
  readonly p99Ms: number;
  readonly drainedPerS: number | null;
  /** CPU milliseconds per 1,000 events while the load ran, by process group (queued runs). */
  readonly cpuPerThousand?: Readonly<Record<string, number>>;
}

/**
 * The request bodies, encoded once up front (UTF-8 bytes): the load generator shares the machine with
 * the replicas, and re-encoding 340 kB strings on every send was CPU taken from them.
 */
function bodies(seed: number, count = BATCHES): Uint8Array<ArrayBuffer>[] {
  const rng = seededRandom(seed);
  const base = 1_700_000_000_000;
  const out: Uint8Array<ArrayBuffer>[] = [];
  for (let b = 0; b < count; b++) {
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
    out.push(new TextEncoder().encode(lines.join("\n")));
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

/**
 * Sends every body, IN_FLIGHT at a time per URL (one keep-alive node:http connection each), round
 * robin; the rate of acknowledged events. node:http rather than fetch: the load generator shares the
 * cores with what it measures, and fetch spent about 4 ms of CPU per 340 kB request.
 */
async function load(
  urls: readonly string[],
  all: readonly Uint8Array<ArrayBuffer>[],
): Promise<{ rate: number; p99: number }> {
  let next = 0;
  let accepted = 0;
  const latencies: number[] = [];
  const agents: http.Agent[] = [];
  const send = (agent: http.Agent, target: URL, body: Uint8Array) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: "/v1/models/bench/events",
          method: "POST",
          agent,
          headers: { "content-type": "application/x-ndjson", "content-length": body.byteLength },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  const start = performance.now();
  try {
    await Promise.all(
      urls.flatMap((url) =>
        Array.from({ length: IN_FLIGHT }, async () => {
          const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
          agents.push(agent);
          const target = new URL(url);
          while (next < all.length) {
            const body = all[next++]!;
            const t = performance.now();
            const { status, text } = await send(agent, target, body);
            latencies.push(performance.now() - t);
            if (status !== 200 && status !== 202) throw new Error(`ingest answered ${status}: ${text}`);
            accepted += (JSON.parse(text) as { accepted?: number }).accepted ?? 0;
          }
        }),
      ),
    );
  } finally {
    for (const agent of agents) agent.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: accepted / seconds, p99: latencies[Math.floor(0.99 * (latencies.length - 1))]! };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The pids of the machine's processes whose command line passes `test` (PostgreSQL's backends, nats-server). */
function pidsOf(test: (commandLine: string) => boolean): number[] {
  try {
    return readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return test(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** CPU used by each group of processes between two readings: where the machine's cores went. */
async function cpuDuring<T>(
  groups: Record<string, () => number[]>,
  work: () => Promise<T>,
): Promise<{ result: T; cpu: Record<string, number> }> {
  const read = () => {
    const out: Record<string, Map<number, number>> = {};
    for (const [name, pids] of Object.entries(groups)) {
      out[name] = new Map();
      for (const pid of pids()) {
        const used = cpuSeconds(pid);
        if (used !== null) out[name].set(pid, used);
      }
    }
    return out;
  };
  const self = process.cpuUsage();
  const before = read();
  const result = await work();
  const after = read();
  const cpu: Record<string, number> = {};
  for (const [name, pids] of Object.entries(after)) {
    cpu[name] = 0;
    for (const [pid, used] of pids) cpu[name] += used - (before[name]?.get(pid) ?? used);
  }
  const mine = process.cpuUsage(self);
  cpu["load generator"] = (mine.user + mine.system) / 1e6;
  return { result, cpu };
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
  const roles = new Map<ChildProcess, string>();
  const spawn = async (args: string[]) => {
    const { child, url } = await spawnServe(["--port", "0", "--clock", "event", ...args]);
    children.push(child);
    roles.set(child, args[args.indexOf("--role") + 1] ?? "single");
    return url;
  };
  const pidsByRole = (role: string) => () =>
    children.filter((c) => roles.get(c) === role && c.pid !== undefined).map((c) => c.pid!);
  const groups = {
    "API replicas": pidsByRole("api"),
    worker: pidsByRole("worker"),
    "nats-server": () => pidsOf((line) => line.split("\0")[0]!.endsWith("nats-server")),
    // The postmaster and its backends (not our replicas, whose arguments name postgres:// URLs).
    PostgreSQL: () =>
      pidsOf((line) => line.startsWith("postgres:") || line.split("\0")[0]!.endsWith("/postgres")),
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
    await load([single], bodies(101, WARMUP_BATCHES));
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

    // The worker writes to PostgreSQL while the API replicas take the load (as deployed); the last run
    // starts it after the load instead — what the API replicas take when the worker runs elsewhere, and
    // what one worker drains from a backlog when it has the machine.
    for (const { replicas, workerDuring } of [
      { replicas: 1, workerDuring: true },
      { replicas: 2, workerDuring: true },
      { replicas: 2, workerDuring: false },
    ]) {
      const schema = `tt_bench_${randomBytes(4).toString("hex")}`;
      schemas.push(schema);
      const store = `${TEST_PG_URL}?schema=${schema}`;
      const queue = `${TEST_NATS_URL}?deployment=bench_${schema}`;
      const common = ["--store", store, "--queue", queue];
      const worker = () => spawn([...common, "--role", "worker", "--data-dir", join(dir, `${schema}-w`)]);
      if (workerDuring) await worker();
      const apis: string[] = [];
      for (let r = 0; r < replicas; r++)
        apis.push(await spawn([...common, "--role", "api", "--data-dir", join(dir, `${schema}-a${r}`)]));
      await register(apis[0]!);
      const all = bodies(10 + replicas);
      const warmup = bodies(110 + replicas, WARMUP_BATCHES);
      let started = performance.now();
      await load(apis, warmup);
      const { result: measured, cpu } = await cpuDuring(groups, () => load(apis, all));
      if (!workerDuring) {
        started = performance.now();
        await worker();
      }
      // Drained: every acknowledged event is in the store's event index.
      const pool = await openPool({ url: TEST_PG_URL, schema, poolSize: 1 });
      let drainedPerS: number | null = null;
      try {
        const total = (BATCHES + WARMUP_BATCHES) * BATCH;
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
      const plural = replicas > 1 ? "s" : "";
      phases.push({
        name: workerDuring
          ? `${replicas} API replica${plural} + 1 worker writing at the same time, PostgreSQL + JetStream`
          : `${replicas} API replica${plural}, the worker started after the load (its drain: the last column)`,
        replicas,
        eventsPerS: measured.rate,
        perReplica: measured.rate / replicas,
        p99Ms: measured.p99,
        drainedPerS,
        cpuPerThousand: Object.fromEntries(
          Object.entries(cpu).map(([name, seconds]) => [name, (seconds * 1000) / ((BATCHES * BATCH) / 1000)]),
        ),
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
  const groupNames = ["API replicas", "worker", "nats-server", "PostgreSQL", "load generator"];
  const queued = phases.filter((p) => p.cpuPerThousand !== undefined);
  const cpuTable = [
    `| run | ${groupNames.join(" | ")} |`,
    `|---|${groupNames.map(() => "---:").join("|")}|`,
    ...queued.map(
      (p) => `| ${p.name} | ${groupNames.map((g) => (p.cpuPerThousand![g] ?? 0).toFixed(1)).join(" | ")} |`,
    ),
  ].join("\n");
  console.log(table);
  console.log(cpuTable);
  const verdicts = phases
    .filter((p) => p.drainedPerS !== null)
    .map(
      (p) =>
        `${p.name}: ${fmt(p.perReplica)} per replica — ${p.perReplica >= 100_000 ? "**met**" : "**not met**"}`,
    );
  writeBenchSection(
    "scale-out",
    `## Scale-out replicas (issue #16): API replicas on PostgreSQL + JetStream

Command: \`npm run bench -- scale-out\` · machine: ${machineLine()} · ${new Date().toISOString().slice(0, 10)} ·
load average when it started: ${loadAtStart.toFixed(1)} on ${cpus().length} cores

${fmt(BATCHES * BATCH)} events (${FEATURES} numeric features) per deployment in batches of ${BATCH.toLocaleString("en")}, timed after
${WARMUP_BATCHES} untimed batches (the replicas' first requests compile their code and grow their heaps)
(NDJSON over HTTP, ${IN_FLIGHT} requests in flight per replica, round robin), from this process. The API replicas
validate each batch (a native scanner vouches for plain batches; docs/scale-out.md) and answer 202 once JetStream
acknowledged it; one worker pulls and writes to PostgreSQL — at the same time in the first two runs, after the load in
the last (what the replicas take when the worker runs on another machine; the last column is then the worker's drain
of the backlog alone). The worker runs as deployed by default: at a lower CPU priority (\`queue.worker_nice\`, nice
10), so on this shared machine it drains with what the requests leave, and catches up after the load. Every process, PostgreSQL 15, nats-server and this load generator share the machine's cores:
two API replicas here split the same two cores between them. The last column is the end-to-end rate: all events in the
store's index, from the first request (or from the worker's start).

${table}

Where the cores went while the load ran (CPU milliseconds per 1,000 events, from /proc; the load generator is this
process, body generation excluded):

${cpuTable}

Target ≥ 100,000 events/s per API replica:

${verdicts.map((v) => `- ${v}`).join("\n")}`,
  );
}

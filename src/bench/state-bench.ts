import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqlite } from "../store/sqlite/driver.js";
import { seededRandom } from "../testing/random.js";
import { exited, spawnServe } from "../testing/serve-process.js";
import { machineLine } from "./machine.js";
import { writeBenchSection } from "./report-file.js";

const FEATURES = 20;
const BATCH = 1000;
const TOTAL = Number(process.env.TIKTOKTOE_BENCH_STATE_EVENTS ?? 10_000_000);
const DAYS = 30;
const CONCURRENCY = 2;
/** Labels follow their events this many batches later (minutes of event time: their windows are open). */
const LABEL_DELAY = 2;

const rssMiB = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};

/**
 * `npm run bench -- state` (issue #12): 10 M events over 30 days of event time into `tiktoktoe serve`
 * (a child process, SQLite), each followed by its label a few batches later. Prints the server's
 * resident memory at every million (it must grow ≤ 25 MiB per million after the first), the ingest
 * rate over the last million against SQLite's raw row-per-event insert rate measured in the same run
 * (≥ 0.25 ×), then kills the server with SIGKILL and times the restart until `/readyz` answers
 * (≤ 10 s). `TIKTOKTOE_BENCH_STATE_EVENTS` shortens it for a quick look.
 *
 * @example
 * ```ts
 * await runStateBench();
 * ```
 */
export async function runStateBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-state-bench-"));
  const rng = seededRandom(7);
  const base = Date.UTC(2026, 0, 1);
  const step = (DAYS * 86_400_000) / TOTAL;
  const eventsOf = (b: number) => {
    const lines: string[] = [];
    for (let i = 0; i < BATCH; i++) {
      const n = b * BATCH + i;
      const features: Record<string, number> = {};
      for (let f = 0; f < FEATURES; f++) features[`f${f}`] = Math.round(rng.normal() * 1e4) / 1e4;
      lines.push(
        JSON.stringify({
          id: `e${n}`,
          time: Math.floor(base + n * step),
          version: "1",
          features,
          prediction: features.f0!,
          latency_ms: Math.round((1 + rng.uniform() * 20) * 100) / 100,
        }),
      );
    }
    return lines.join("\n");
  };
  const labelsOf = (b: number) => {
    const lines: string[] = [];
    for (let i = 0; i < BATCH; i++)
      lines.push(JSON.stringify({ id: `e${b * BATCH + i}`, value: Math.round(rng.normal() * 1e4) / 1e4 }));
    return lines.join("\n");
  };

  // The reference: SQLite's raw insert rate for one row per event, 1,000 per transaction.
  const db = openSqlite(join(dir, "raw.db"));
  db.exec(
    `CREATE TABLE events (id TEXT PRIMARY KEY, time INTEGER, ${Array.from({ length: FEATURES }, (_, f) => `f${f} REAL`).join(", ")})`,
  );
  const insert = db.prepare(
    `INSERT INTO events VALUES (?, ?, ${Array.from({ length: FEATURES }, () => "?").join(", ")})`,
  );
  const rawRows = 300_000;
  const insertMany = db.transaction((from: number) => {
    for (let i = from; i < from + BATCH; i++)
      insert.run(`e${i}`, base + i, ...Array.from({ length: FEATURES }, () => rng.normal()));
  });
  let t = performance.now();
  for (let b = 0; b < rawRows / BATCH; b++) insertMany(b * BATCH);
  const rawRate = rawRows / ((performance.now() - t) / 1000);
  db.close();

  const dataDir = join(dir, "server");
  let { child, url } = await spawnServe(["--data-dir", dataDir, "--port", "0", "--clock", "event"]);
  const post = async (path: string, body: string, type = "application/x-ndjson") => {
    const response = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": type },
      body,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as { accepted: number };
  };
  const memory: Array<{ events: number; rss: number }> = [];
  let lastMillionRate = 0;
  try {
    const features = Array.from({ length: FEATURES }, (_, f) => ({ name: `f${f}`, type: "numeric" }));
    await post(
      "/v1/models",
      JSON.stringify({ name: "bench", task: "regression", features }),
      "application/json",
    );
    await post("/v1/models/bench/versions", JSON.stringify({ version: "1" }), "application/json");
    const batches = TOTAL / BATCH;
    let next = 0;
    let done = 0;
    let millionStart = performance.now();
    console.log(
      `state bench: ${TOTAL.toLocaleString("en")} events over ${DAYS} days, labels ${LABEL_DELAY} batches later`,
    );
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < batches) {
          const b = next++;
          await post("/v1/models/bench/events", eventsOf(b));
          if (b >= LABEL_DELAY) await post("/v1/models/bench/labels", labelsOf(b - LABEL_DELAY));
          done++;
          if ((done * BATCH) % 1_000_000 === 0) {
            const seconds = (performance.now() - millionStart) / 1000;
            lastMillionRate = 1_000_000 / seconds;
            millionStart = performance.now();
            memory.push({ events: done * BATCH, rss: rssMiB(child.pid!) });
            console.log(
              `  ${(done * BATCH).toLocaleString("en")} events: RSS ${memory.at(-1)!.rss.toFixed(0)} MiB, ${Math.round(lastMillionRate).toLocaleString("en")} events/s (with their labels) over the last million`,
            );
          }
        }
      }),
    );
    for (let b = batches - LABEL_DELAY; b < batches; b++) await post("/v1/models/bench/labels", labelsOf(b));

    // kill -9, then time the restart until /readyz.
    child.kill("SIGKILL");
    await exited(child);
    t = performance.now();
    ({ child, url } = await spawnServe(["--data-dir", dataDir, "--port", "0", "--clock", "event"]));
    for (;;) {
      const ready = await fetch(`${url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const restartS = (performance.now() - t) / 1000;
    const restartRss = rssMiB(child.pid!);
    const first = memory[0]!;
    const last = memory.at(-1)!;
    const perMillion = memory.length > 1 ? (last.rss - first.rss) / ((last.events - first.events) / 1e6) : 0;
    const rows = [
      ["events (each with one late label)", TOTAL.toLocaleString("en")],
      ["resident memory at 1 M events", `${first.rss.toFixed(0)} MiB`],
      [`resident memory at ${(last.events / 1e6).toFixed(0)} M events`, `${last.rss.toFixed(0)} MiB`],
      ["growth per million after the first (target ≤ 25 MiB)", `${perMillion.toFixed(1)} MiB`],
      [
        "ingest over the last million, events/s with their labels",
        Math.round(lastMillionRate).toLocaleString("en"),
      ],
      ["SQLite raw row-per-event insert, rows/s (same run)", Math.round(rawRate).toLocaleString("en")],
      ["ratio (target ≥ 0.25)", (lastMillionRate / rawRate).toFixed(2)],
      ["restart after kill -9 until /readyz (target ≤ 10 s)", `${restartS.toFixed(2)} s`],
      ["resident memory after the restart", `${restartRss.toFixed(0)} MiB`],
    ];
    const table = ["| measurement | value |", "|---|---:|", ...rows.map((r) => `| ${r.join(" | ")} |`)].join(
      "\n",
    );
    const trail = memory.map((m) => `${m.events / 1e6} M: ${m.rss.toFixed(0)} MiB`).join(" · ");
    console.log(table);
    writeBenchSection(
      "state",
      `## Server state: memory, ingest rate and restart with 10 M events stored

Command: \`npm run bench -- state\` · machine: ${machineLine()} · ${new Date().toISOString().slice(0, 10)}

${TOTAL.toLocaleString("en")} events (20 numeric features, regression) over ${DAYS} days of event time into
\`tiktoktoe serve --clock event\` (a child process, SQLite), batches of 1,000 NDJSON, ${CONCURRENCY} requests in
flight; each batch's labels follow ${LABEL_DELAY} batches later. The event ids and what a late label needs
live in the store's event index; memory holds the open windows only.

${table}

Resident memory at each million: ${trail}.
`,
    );
  } finally {
    child.kill("SIGKILL");
    await exited(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

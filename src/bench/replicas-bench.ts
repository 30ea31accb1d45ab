import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { openLocalChangeBus, openPgChangeBus } from "../store/index.js";
import { TEST_PG_URL, tcpOpen } from "../testing/services.js";
import { machineLine } from "./machine.js";
import { writeBenchSection } from "./report-file.js";

/** Timed calls per row. */
const CALLS = 5000;
/** Requests at once in the concurrent rows (their syncs share round trips). */
const CONCURRENT = 64;

/** Microseconds per call of `work`, `CALLS` calls, `inFlight` at once. */
async function perCall(work: () => Promise<unknown>, inFlight: number): Promise<number> {
  for (let i = 0; i < 200; i++) await work();
  const rounds = Math.ceil(CALLS / inFlight);
  const t = performance.now();
  for (let r = 0; r < rounds; r++) await Promise.all(Array.from({ length: inFlight }, work));
  return ((performance.now() - t) * 1000) / (rounds * inFlight);
}

/**
 * `npm run bench -- replicas` (issue #16): what sharing state costs a request. Every request of a
 * replica first waits for the change bus's read barrier (`sync`: one `SELECT 1` on the listening
 * connection with PostgreSQL, nothing with SQLite); and a change travels from one replica's `publish`
 * to another's listener through NOTIFY. PostgreSQL is the local one the tests use.
 *
 * @example
 * ```ts
 * await runReplicasBench();
 * ```
 */
export async function runReplicasBench(): Promise<void> {
  console.log("replicas bench …");
  const load = loadavg()[0]!.toFixed(1);
  const rows: string[][] = [];
  const us = (n: number) => n.toFixed(n < 10 ? 2 : 0);
  const local = openLocalChangeBus(`bench-${randomBytes(4).toString("hex")}`);
  try {
    rows.push(["in-process (SQLite): `sync`, one at a time", us(await perCall(() => local.sync(), 1))]);
  } finally {
    await local.close();
  }
  const pg = new URL(TEST_PG_URL);
  if (await tcpOpen(pg.hostname, Number(pg.port || 5432))) {
    const schema = `tt_bench_${randomBytes(4).toString("hex")}`;
    const a = await openPgChangeBus({ url: TEST_PG_URL, schema, resyncMs: 0 });
    const b = await openPgChangeBus({ url: TEST_PG_URL, schema, resyncMs: 0 });
    try {
      rows.push(["PostgreSQL: `sync`, one at a time", us(await perCall(() => b.sync(), 1))]);
      rows.push([
        `PostgreSQL: \`sync\`, ${CONCURRENT} requests at once (per request)`,
        us(await perCall(() => b.sync(), CONCURRENT)),
      ]);
      // A notice from A's publish to B's listener: the delay before B could know of a change by itself.
      let heard: (() => void) | undefined;
      b.subscribe("bench", () => heard?.());
      rows.push([
        "PostgreSQL: `publish` on one replica → listener called on another",
        us(
          await perCall(async () => {
            const arrived = new Promise<void>((resolve) => {
              heard = resolve;
            });
            await a.publish("bench", { model: "m" });
            await arrived;
          }, 1),
        ),
      ]);
    } finally {
      await a.close();
      await b.close();
    }
  } else rows.push(["PostgreSQL", `not measured: nothing listens at ${pg.host}`]);
  const table = ["| what | µs per call |", "|---|---:|", ...rows.map((r) => `| ${r.join(" | ")} |`)].join(
    "\n",
  );
  console.log(table);
  writeBenchSection(
    "replicas",
    `## Scale-out: the replicas' change bus

Command: \`npm run bench -- replicas\` · machine: ${machineLine()} · ${new Date().toISOString().slice(0, 10)} ·
load average when it started: ${load} (the machine is shared; figures move with it)

Every request a replica answers first waits for the change bus's read barrier (\`sync\`), so it sees
the changes other replicas answered before it (docs/scale-out.md, "What replicas share"). With
PostgreSQL that is one \`SELECT 1\` on the replica's listening connection; requests that arrive
together share round trips. PostgreSQL 15 runs on the same machine (loopback); ${CALLS.toLocaleString("en")} calls per row.

${table}
`,
  );
}

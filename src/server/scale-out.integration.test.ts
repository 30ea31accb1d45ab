// Issue #16, the done-when test: 2 API replicas and 2 workers (separate processes of dist/cli/bin.js)
// on one PostgreSQL schema and one JetStream deployment, under a steady load of labelled events whose
// quality breaks for three windows (the quality alert fires, then resolves) with notifications to a
// webhook receiver here. One API replica and one worker (the one holding the aggregator, alerting and
// delivery locks) are killed with kill -9 mid-load and started again. Then: every event answered 2xx
// is stored exactly once, the final windows equal a single-process run's (`serve` on SQLite, no
// queue) on the same requests, and each notification reached the receiver exactly once.
// TIKTOKTOE_SEED=N repeats a run (the seed is printed).
import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pgMissing, TestSchemas } from "../store/postgres/postgres.test.helpers.js";
import { serviceMissing, TEST_NATS_URL, TEST_PG_URL } from "../testing/services.js";
import {
  eventually,
  kill9,
  type Received,
  type Replica,
  seeded,
  startReceiver,
  startReplica,
  stopGracefully,
  threadNices,
} from "./scale-out.test.helpers.js";

const natsMissing = await serviceMissing("NATS with JetStream", TEST_NATS_URL, "nats-server");
const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-scale-out-"));
const schemas = new TestSchemas("scale");
const deployment = `scale_${randomBytes(4).toString("hex")}`;
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await schemas.dropAll();
  if (natsMissing === false) {
    const { connect } = await import("@nats-io/transport-node");
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const nc = await connect({ servers: TEST_NATS_URL.replace(/^nats:\/\//, "") });
    await (await jetstreamManager(nc)).streams.delete(`TIKTOKTOE_${deployment}`).catch(() => false);
    await nc.close();
  }
});

const seed = Number(process.env.TIKTOKTOE_SEED ?? randomInt(1, 2 ** 31));
console.log(`scale-out test seed: ${seed} (TIKTOKTOE_SEED=${seed} repeats it)`);

const T0 = Date.parse("2026-03-01T00:00:00Z");
const STEP_MS = 2_000; // event time per step: 30 steps per one-minute window
const STEPS = 400; // 13 min 20 s of event time
const PER_STEP = 12;
const LABEL_LAG = 40; // labels of step s go with step s + 40 (80 s later in event time, < the lateness)
const BAD = (step: number) => step >= 60 && step < 150; // windows 2, 3, 4: predictions 50 off

/** The requests of the run, in order: [kind, body] (the same in both runs). */
function requests(): Array<{ kind: "events" | "labels"; body: string; ids: string[]; labelled?: string[] }> {
  const random = seeded(seed);
  const truth: Array<Array<{ id: string; time: number; value: number }>> = [];
  const out: Array<{ kind: "events" | "labels"; body: string; ids: string[]; labelled?: string[] }> = [];
  const labelsOf = (step: number) => {
    const rows = truth[step]!;
    return {
      kind: "labels" as const,
      body: rows.map((r) => JSON.stringify({ id: r.id, value: r.value, time: r.time + 1_000 })).join("\n"),
      ids: [],
      labelled: rows.map((r) => r.id),
    };
  };
  for (let step = 0; step < STEPS; step++) {
    const rows = Array.from({ length: PER_STEP }, (_, i) => ({
      id: `s${step}-${i}`,
      time: T0 + step * STEP_MS + i * 100,
      value: Math.round(random() * 1000) / 10,
    }));
    truth.push(rows);
    const events = rows.map((r) =>
      JSON.stringify({
        id: r.id,
        time: r.time,
        version: "1",
        features: { x: Math.round(random() * 1000) / 10, c: random() < 0.3 ? "a" : "b" },
        prediction: Math.round((r.value + (BAD(step) ? 50 : (random() - 0.5) * 4)) * 10) / 10,
      }),
    );
    out.push({ kind: "events", body: events.join("\n"), ids: rows.map((r) => r.id) });
    if (step >= LABEL_LAG) out.push(labelsOf(step - LABEL_LAG));
  }
  for (let step = STEPS - LABEL_LAG; step < STEPS; step++) out.push(labelsOf(step));
  // A last event 8 minutes on: every window of the load is final by it, and the group timers pass the
  // resolution's group_interval, whenever the flushes ran (the timers follow the event clock as the
  // flushes see it, and the flushes follow the wall clock).
  const sentinel = {
    id: "sentinel",
    time: T0 + STEPS * STEP_MS + 480_000,
    version: "1",
    features: { x: 1, c: "a" },
  };
  out.push({ kind: "events", body: JSON.stringify({ ...sentinel, prediction: 1 }), ids: ["sentinel"] });
  return out;
}

function config(file: string, receiver: string, path: string): string {
  writeFileSync(
    file,
    JSON.stringify({
      monitor: { window: "1m", lateness: "3m", min_samples: 5 },
      metrics: { quality: { metric: "mae", threshold: 10 } },
      queue: { ack_wait: "2s", publish_timeout: "2s" },
      alerting: {
        channels: { hook: { type: "webhook", url: `${receiver}${path}` } },
        receivers: { default: { channels: ["hook"] } },
        route: {
          receiver: "default",
          group_by: ["model", "alertname"],
          group_wait: "0s",
          group_interval: "1m",
          repeat_interval: "1d",
        },
      },
    }),
  );
  return file;
}

const post = (url: string, path: string, body: string, type = "application/json") =>
  fetch(`${url}${path}`, { method: "POST", headers: { "content-type": type }, body });

async function register(url: string): Promise<void> {
  const model = await post(
    url,
    "/v1/models",
    JSON.stringify({
      name: "m",
      task: "regression",
      features: [
        { name: "x", type: "numeric" },
        { name: "c", type: "categorical" },
      ],
    }),
  );
  assert.equal(model.status, 201, await model.text());
  const version = await post(url, "/v1/models/m/versions", JSON.stringify({ version: "1" }));
  assert.equal(version.status, 201, await version.text());
}

type Window = Record<string, unknown>;

/** The final windows the API answers, without the write time. */
async function finalWindows(url: string): Promise<Window[]> {
  const answer = (await (
    await fetch(`${url}/v1/models/m/windows?from=${T0 - 3_600_000}&to=${T0 + 86_400_000}`)
  ).json()) as { windows: Window[] };
  return answer.windows
    .filter((w) => w.final === true)
    .map(({ updatedMs: _u, ...rest }) => rest)
    .sort((a, b) => Number(a.startMs ?? a.start) - Number(b.startMs ?? b.start));
}

/** Deep equality with numbers equal to 1e-9 relative (sums in another order differ in the last bits). */
function close(a: unknown, b: unknown, path = ""): string | undefined {
  if (typeof a === "number" && typeof b === "number")
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b))
      ? undefined
      : `${path}: ${a} ≠ ${b}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} ≠ ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = close(a[i], b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
}

/** A notification's identity: status and the alerts it carries (fingerprint, status, start). */
const identity = (r: Received) =>
  `${r.body.status} ${r.body.alerts
    .map((a) => `${a.labels.alertname}/${a.fingerprint}/${a.status}/${a.startsAt}`)
    .sort()
    .join(",")}`;

test("2 API replicas + 2 workers on PostgreSQL and JetStream, one of each killed -9 mid-load: every 2xx event stored once, windows as one process, each alert once", {
  skip: pgMissing || natsMissing,
  timeout: 180_000,
}, async () => {
  const receiver = await startReceiver();
  const all = requests();
  // The firing notification goes out before the sentinel moves the clock 8 minutes on, so the
  // resolution comes a group_interval after it in event time in both runs, whenever the wall-clock
  // flushes ran (otherwise one flush could fire and resolve at the same clock, and the resolution
  // would wait for a later clock that never comes).
  const firingSeen = async (path: string) =>
    assert.ok(
      await eventually(
        async () => receiver.received.some((r) => r.path === path && r.body.status === "firing"),
        60_000,
        50,
      ),
      `the quality alert fired (${path}) before the sentinel`,
    );
  const replicas: Replica[] = [];
  try {
    // ---- the reference: one process on SQLite, no queue ----
    const single = await startReplica("single", [
      "--data-dir",
      join(dir, "single"),
      "--clock",
      "event",
      "--config",
      config(join(dir, "single.json"), receiver.url, "/single"),
    ]);
    replicas.push(single);
    await register(single.url);
    for (const r of all) {
      if (r.ids[0] === "sentinel") await firingSeen("/single");
      const answer = await post(single.url, `/v1/models/m/${r.kind}`, r.body, "application/x-ndjson");
      assert.equal(answer.status, 200, await answer.text());
    }
    const expectedWindows = await finalWindows(single.url);
    await stopGracefully(single.child); // delivers what is due
    assert.ok(expectedWindows.length >= 8, `final windows of the single run: ${expectedWindows.length}`);
    const expectedNotifications = receiver.received
      .filter((r) => r.path === "/single")
      .map(identity)
      .sort();
    assert.ok(
      expectedNotifications.some((n) => n.startsWith("firing")) &&
        expectedNotifications.some((n) => n.startsWith("resolved")),
      `the single run fires and resolves the quality alert: ${expectedNotifications.join(" | ")}`,
    );

    // ---- the cluster ----
    const schema = schemas.fresh();
    const common = (name: string) => [
      "--data-dir",
      join(dir, name),
      "--clock",
      "event",
      "--store",
      `${TEST_PG_URL}?schema=${schema}`,
      "--queue",
      `${TEST_NATS_URL}?deployment=${deployment}`,
      "--config",
      config(join(dir, "cluster.json"), receiver.url, "/cluster"),
    ];
    const start = async (name: string, role: "api" | "worker") => {
      const replica = await startReplica(name, [...common(name), "--role", role]);
      replicas.push(replica);
      return replica;
    };
    // The first worker takes every job lock; the model is registered before the others start (they
    // load the registry from the store when they open).
    let worker0 = await start("worker0", "worker");
    await register(worker0.url);
    const apis = await Promise.all([start("api0", "api"), start("api1", "api")]);
    await start("worker1", "worker");
    // The workers yield the CPU to requests (queue.worker_nice, 10): every thread, V8's included.
    const nices = (replica: Replica) => threadNices(replica.child.pid!);
    if (nices(worker0) !== null) {
      assert.ok(nices(worker0)!.length > 3 && nices(worker0)!.every((n) => n === 10), `${nices(worker0)}`);
      assert.ok(
        nices(apis[0]!)!.every((n) => n === 0),
        `${nices(apis[0]!)}`,
      );
    }

    const answered = new Set<string>(); // event ids answered 2xx
    let refused = 0;
    const admin = await schemas.admin(schema);
    const send = async (r: (typeof all)[number], turn: number) => {
      // Labels come after their events are stored, as in life (a label stored first would be unmatched:
      // with two workers, a batch fetched by a killed worker waits for the ack wait).
      if (r.labelled !== undefined) {
        const stored = await eventually(
          async () => {
            const { rows } = await admin.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM event_index WHERE model = 'm' AND id = ANY($1)",
              [r.labelled],
            );
            return rows[0]!.n === r.labelled!.length;
          },
          30_000,
          50,
        );
        assert.ok(stored, "the events of a label batch are stored within 30 s");
      }
      // A client's retry: the same body to the other replica (its batch id makes a repeat a duplicate).
      for (let attempt = 0; attempt < 40; attempt++) {
        const api = apis[(turn + attempt) % apis.length]!;
        const answer = await post(api.url, `/v1/models/m/${r.kind}`, r.body, "application/x-ndjson").catch(
          () => undefined,
        );
        if (answer !== undefined && answer.status === 202) {
          const body = (await answer.json()) as { queued: boolean; accepted: number };
          assert.equal(body.queued, true);
          for (const id of r.ids) answered.add(id);
          return;
        }
        refused++;
        // Connection refused (a killed replica): the other one at once; a 503: after a pause.
        if (answer === undefined) continue;
        const text = await answer.text();
        assert.equal(answer.status, 503, text);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.fail(`a request was refused 40 times (${r.kind})`);
    };
    const killAt = Math.floor(all.length * 0.3);
    const restartAt = Math.floor(all.length * 0.5);
    let restarting: Promise<void> | undefined;
    for (const [turn, r] of all.entries()) {
      if (turn === killAt) {
        // kill -9 one API replica and the worker holding the locks, mid-load.
        await Promise.all([kill9(apis[1]!.child), kill9(worker0.child)]);
      }
      if (turn === restartAt)
        restarting = (async () => {
          apis[1] = await start("api1-again", "api");
          worker0 = await start("worker0-again", "worker");
        })();
      if (r.ids[0] === "sentinel") await firingSeen("/cluster");
      await send(r, turn);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await restarting;

    // Every event answered 2xx is stored, each once: the log's event rows and the labelled pairs by id.
    try {
      const stored = await eventually(async () => {
        const { rows } = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM event_index");
        return rows[0]!.n === answered.size;
      }, 60_000);
      const { rows } = await admin.query<{ indexed: number; logged: number }>(
        `SELECT (SELECT count(*)::int FROM event_index) AS indexed,
                (SELECT coalesce(sum(count), 0)::int FROM ingest_log WHERE kind = 'events') AS logged`,
      );
      assert.ok(stored, `stored ${rows[0]!.indexed} of ${answered.size} events answered 2xx`);
      assert.equal(rows[0]!.logged, answered.size, "the log holds each event once");
    } finally {
      await admin.end();
    }
    assert.equal(answered.size, STEPS * PER_STEP + 1, "every event was answered 2xx in the end");
    // The workers say on /metrics what they stored, and that nothing was dead-lettered.
    let stored = 0;
    for (const r of replicas.filter(
      (r) => r.name.startsWith("worker") && r.child.exitCode === null && r.child.signalCode === null,
    )) {
      const text = await (await fetch(`${r.url}/metrics`)).text();
      assert.match(text, /^# TYPE tiktoktoe_queue_batches_stored_total counter$/m);
      assert.match(text, /^tiktoktoe_queue_dead_letters_total 0$/m, r.name);
      stored += Number(/^tiktoktoe_queue_batches_stored_total (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
    }
    assert.ok(stored > 0, `the live workers stored ${stored} batches`);
    const pairs = (await (await fetch(`${apis[0]!.url}/v1/models/m/labelled?limit=100000`)).text())
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { id: string }).id);
    assert.equal(pairs.length, new Set(pairs).size, "no event is in the log twice");
    assert.equal(pairs.length, STEPS * PER_STEP, "every event but the sentinel is labelled once");

    // The final windows equal the single process's, as any replica answers them.
    let last = "";
    const equal = await eventually(async () => {
      const got = await finalWindows(apis[0]!.url);
      last = close(got, expectedWindows) ?? "";
      return last === "";
    }, 30_000);
    assert.ok(equal, `final windows differ from the single run: ${last}`);

    // Each notification reached the receiver exactly once.
    const cluster = () =>
      receiver.received
        .filter((r) => r.path === "/cluster")
        .map(identity)
        .sort();
    await eventually(async () => cluster().length >= expectedNotifications.length, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // a duplicate would come by now
    assert.deepEqual(cluster(), expectedNotifications);
    console.log(
      `${answered.size} events, ${refused} refused and resent, ${expectedWindows.length} final windows`,
    );
  } catch (error) {
    for (const r of replicas) console.log(`---- ${r.name} ----\n${r.logged().slice(-3000)}`);
    throw error;
  } finally {
    await Promise.all(replicas.map((r) => stopGracefully(r.child)));
    await receiver.close();
  }
});

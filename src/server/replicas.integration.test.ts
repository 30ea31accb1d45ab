import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pgMissing, TestSchemas } from "../store/postgres/postgres.test.helpers.js";
import { exited, spawnServe } from "../testing/serve-process.js";
import { TEST_PG_URL } from "../testing/services.js";
import { COLUMNS, ORIGINAL, row } from "./serving/deploy.test.helpers.js";

/**
 * Two real `tiktoktoe serve` processes on one PostgreSQL schema (issue #16): what one is told, the
 * other answers by on the very next request — the registry, dashboard sessions, deployments — and a
 * dashboard connected to one sees the changes the other writes.
 */

const ADMIN = "adm-1";
const READER = "read-1";

interface Replica {
  child: ChildProcess;
  url: string;
}

async function call(
  replica: Replica,
  method: string,
  path: string,
  options: { body?: unknown; type?: string; token?: string | null; cookie?: string } = {},
) {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? ADMIN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  let body: string | Blob | undefined;
  if (options.body !== undefined) {
    headers["content-type"] = options.type ?? "application/json";
    body =
      options.body instanceof Uint8Array
        ? new Blob([Buffer.from(options.body)])
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body);
  }
  const response = await fetch(`${replica.url}${path}`, {
    method,
    headers,
    redirect: "manual",
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  // biome-ignore lint/suspicious/noExplicitAny: answers are read as plain JSON
  return { status: response.status, headers: response.headers, body: json as any };
}

async function ok(replica: Replica, method: string, path: string, body?: unknown, type?: string) {
  const answer = await call(replica, method, path, {
    ...(body === undefined ? {} : { body }),
    ...(type === undefined ? {} : { type }),
  });
  assert.ok(answer.status < 300, `${method} ${path} → ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

if (pgMissing !== false) test("replicas on one PostgreSQL schema", { skip: pgMissing }, () => undefined);
else
  describe("two serve replicas on one PostgreSQL schema", () => {
    const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-replicas-"));
    const schemas = new TestSchemas("replicas");
    const schema = schemas.fresh();
    let a: Replica;
    let b: Replica;
    const start = (name: string) =>
      spawnServe([
        "--data-dir",
        join(dir, name),
        "--store",
        `${TEST_PG_URL}?schema=${schema}`,
        "--tokens",
        join(dir, "tokens.txt"),
        "--port",
        "0",
      ]);

    before(async () => {
      writeFileSync(join(dir, "tokens.txt"), `${ADMIN} admin\n${READER} read\n`);
      // One after the other: the first migrates the schema and takes the scheduler's lock.
      a = await start("a");
      b = await start("b");
    });
    after(async () => {
      for (const replica of [a, b]) {
        replica?.child.kill("SIGTERM");
        if (replica !== undefined) await exited(replica.child);
      }
      rmSync(dir, { recursive: true, force: true });
      await schemas.dropAll();
    });

    test("a model and a version registered on A are known to B on the next request", async () => {
      await ok(a, "POST", "/v1/models", {
        name: "reg",
        task: "regression",
        features: [{ name: "x", type: "numeric" }],
      });
      const model = await call(b, "GET", "/v1/models/reg");
      assert.equal(model.status, 200, JSON.stringify(model.body));
      assert.equal(model.body.name, "reg");
      assert.ok((await ok(b, "GET", "/v1/models")).models.some((m: { name: string }) => m.name === "reg"));
      await ok(a, "POST", "/v1/models/reg/versions", { version: "1" });
      // B validates events against the version A registered.
      const event = JSON.stringify({
        id: "r1",
        time: Date.now(),
        version: "1",
        features: { x: 1 },
        prediction: 2,
      });
      const ingested = await call(b, "POST", "/v1/models/reg/events", {
        body: event,
        type: "application/x-ndjson",
      });
      assert.equal(ingested.status, 200, JSON.stringify(ingested.body));
      const versions = await ok(b, "GET", "/v1/models/reg/versions");
      assert.deepEqual(
        versions.versions.map((v: { version: string }) => v.version),
        ["1"],
      );
      // And the other way round.
      await ok(b, "POST", "/v1/models/reg/versions", { version: "2" });
      assert.equal(
        (
          await call(a, "POST", "/v1/models/reg/events", {
            body: event.replace('"r1"', '"r2"').replace('"version":"1"', '"version":"2"'),
            type: "application/x-ndjson",
          })
        ).status,
        200,
      );
    });

    test("a dashboard login on A is valid on B; logging out on A ends it on B", async () => {
      const login = await call(a, "POST", "/login", {
        body: `token=${READER}&next=%2F`,
        type: "application/x-www-form-urlencoded",
        token: null,
      });
      assert.equal(login.status, 303);
      const cookie = /^(tiktoktoe_session=[^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1];
      assert.ok(cookie !== undefined, "a session cookie");
      assert.equal((await call(b, "GET", "/v1/models", { token: null })).status, 401, "no cookie, no token");
      assert.equal((await call(b, "GET", "/v1/models", { token: null, cookie })).status, 200);
      // The session has the reader's scope on B too: admin routes stay closed.
      assert.equal(
        (
          await call(b, "POST", "/v1/models", {
            token: null,
            cookie,
            body: { name: "nope", task: "regression", features: [{ name: "x", type: "numeric" }] },
          })
        ).status,
        403,
      );
      assert.equal((await call(a, "POST", "/logout", { token: null, cookie })).status, 303);
      assert.equal((await call(b, "GET", "/v1/models", { token: null, cookie })).status, 401);
      assert.equal((await call(a, "GET", "/v1/models", { token: null, cookie })).status, 401);
    });

    test("a live stream on A receives the window changes of events posted to B", {
      timeout: 30_000,
    }, async () => {
      await ok(a, "POST", "/v1/models", {
        name: "live",
        task: "regression",
        features: [{ name: "x", type: "numeric" }],
      });
      await ok(a, "POST", "/v1/models/live/versions", { version: "1" });
      const abort = new AbortController();
      const stream = await fetch(`${a.url}/v1/stream`, {
        headers: { authorization: `Bearer ${ADMIN}` },
        signal: abort.signal,
      });
      assert.equal(stream.status, 200);
      const reader = stream.body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      const read = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`the stream ended before ${pattern}: ${text}`);
          text += decoder.decode(value, { stream: true });
        }
      };
      try {
        await read(/event: hello/);
        const now = Date.now();
        const events = Array.from({ length: 20 }, (_, i) =>
          JSON.stringify({ id: `l${i}`, time: now, version: "1", features: { x: i }, prediction: i }),
        ).join("\n");
        assert.equal(
          (await call(b, "POST", "/v1/models/live/events", { body: events, type: "application/x-ndjson" }))
            .status,
          200,
        );
        // B writes the window on its flush timer (2 s) and announces it; A never saw the events.
        await read(/event: window\ndata: \{[^\n]*"model":"live"/);
      } finally {
        abort.abort();
        await reader.cancel().catch(() => undefined);
      }
    });

    test("stage changes, rollbacks and rollouts made on A are what B routes by on its next predict", async () => {
      await ok(a, "POST", "/v1/models", {
        name: "cancer",
        task: "binary",
        classes: ["0", "1"],
        features: COLUMNS.map((name) => ({ name, type: "numeric" })),
      });
      for (const version of ["v1", "v2"]) {
        await ok(a, "POST", "/v1/models/cancer/versions", { version });
        await ok(
          a,
          "PUT",
          `/v1/models/cancer/versions/${version}/model`,
          ORIGINAL,
          "application/octet-stream",
        );
      }
      const servedByB = async () =>
        (await ok(b, "POST", "/v1/models/cancer/predict", { input: row(3) })).version;
      await ok(a, "POST", "/v1/models/cancer/stages", { version: "v1", stage: "production" });
      assert.equal(await servedByB(), "v1");
      await ok(a, "POST", "/v1/models/cancer/stages", { version: "v2", stage: "production" });
      assert.equal(await servedByB(), "v2");
      await ok(a, "POST", "/v1/models/cancer/rollback", { reason: "test" });
      assert.equal(await servedByB(), "v1");
      assert.equal((await ok(b, "GET", "/v1/models/cancer/deployment")).production, "v1");
      // A rollout at 100 % sends every request to the candidate, on B as on A; aborting it on A stops that.
      await ok(a, "POST", "/v1/models/cancer/rollouts", { version: "v2", steps: [100] });
      for (let i = 0; i < 3; i++) assert.equal(await servedByB(), "v2");
      // B refuses a second rollout: it knows A's is running.
      assert.equal(
        (await call(b, "POST", "/v1/models/cancer/rollouts", { body: { version: "v2" } })).status,
        409,
      );
      await ok(a, "POST", "/v1/models/cancer/rollout/abort", { reason: "test" });
      for (let i = 0; i < 3; i++) assert.equal(await servedByB(), "v1");
    });

    test("one replica holds the rollout scheduler's lock; when it is killed the other takes it over", async () => {
      const admin = await schemas.admin();
      const holders = async () =>
        (
          await admin.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted
               AND classid = $1::int::oid AND objid = hashtext($2)::oid AND objsubid = 2`,
            [0x7475, `${schema}:rollout-scheduler`],
          )
        ).rows[0]!.n;
      const eventually = async (condition: () => Promise<boolean>) => {
        for (let i = 0; i < 200; i++) {
          if (await condition()) return true;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return false;
      };
      try {
        assert.equal(await holders(), 1);
        // A started first and took it; B's ticks find it taken.
        a.child.kill("SIGKILL");
        await exited(a.child);
        assert.ok(await eventually(async () => (await holders()) === 1), "B took the scheduler over");
        // B still answers (and still routes by the state A left).
        assert.equal((await ok(b, "GET", "/v1/models/cancer/deployment")).production, "v1");
      } finally {
        await admin.end();
      }
    });
  });

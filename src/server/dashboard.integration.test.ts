import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { CONTENT_SECURITY_POLICY } from "./dashboard.js";
import { type RunningServer, startServer } from "./start.js";

/**
 * The dashboard over plain HTTP: the pages and assets (headers, caching, compression), the login
 * and its cookie, the series API (ranges, downsampling, bad input) and the event stream's resume.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-dashboard-"));
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
let server: RunningServer;

const admin = { authorization: "Bearer adm-1" };

before(async () => {
  writeFileSync(join(dir, "tokens.txt"), "adm-1 admin\nread-1 read\ning-1 ingest\n");
  server = await startServer({
    port: 0,
    dataDir: join(dir, "data"),
    tokensFile: join(dir, "tokens.txt"),
    clock: "event",
    flushIntervalMs: 50,
  });
  const post = async (path: string, body: string, type = "application/json") => {
    const response = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { ...admin, "content-type": type },
      body,
    });
    assert.ok(response.ok, await response.text());
  };
  await post(
    "/v1/models",
    JSON.stringify({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] }),
  );
  await post("/v1/models/m/versions", JSON.stringify({ version: "1" }));
  // 48 hourly windows of 5 events each (the default window is one hour).
  const events = Array.from({ length: 48 * 5 }, (_, i) =>
    JSON.stringify({
      id: `e${i}`,
      time: T0 + Math.floor(i / 5) * HOUR + (i % 5) * 60_000,
      version: "1",
      features: { x: i },
      prediction: i,
      latency_ms: 5,
    }),
  ).join("\n");
  await post("/v1/models/m/events", events, "application/x-ndjson");
  await server.service.flush();
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test("pages need a session: redirect to the login, which sets an HttpOnly SameSite cookie for a read token", async () => {
  const page = await fetch(`${server.url}/models/m?version=1`, { redirect: "manual" });
  assert.equal(page.status, 303);
  assert.equal(page.headers.get("location"), "/login?next=%2Fmodels%2Fm%3Fversion%3D1");

  const form = await fetch(`${server.url}/login`);
  assert.equal(form.status, 200);
  assert.match(await form.text(), /<form method="post" action="\/login"/);
  assert.equal(form.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY);

  const login = (token: string, next: string) =>
    fetch(`${server.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, next }).toString(),
    });
  assert.equal((await login("wrong", "/")).status, 401);
  assert.equal((await login("ing-1", "/")).status, 401, "an ingest-only token cannot read the dashboard");
  const open = await login("read-1", "https://evil.example/");
  assert.equal(open.headers.get("location"), "/", "no open redirect");
  const ok = await login("read-1", "/models/m");
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get("location"), "/models/m");
  const cookie = ok.headers.get("set-cookie") ?? "";
  assert.match(cookie, /^tiktoktoe_session=[\w-]{40,}; HttpOnly; SameSite=Strict; Path=\//);
  const session = { cookie: cookie.split(";")[0]! };

  const shell = await fetch(`${server.url}/models/m`, { headers: session });
  assert.equal(shell.status, 200);
  assert.equal(shell.headers.get("cache-control"), "no-cache");
  const html = await shell.text();
  // The model page's first request starts with the script (the page asks for the same URL).
  assert.match(
    html,
    /<link rel="preload" href="\/v1\/models\/m\/series\?points=1000" as="fetch" crossorigin>/,
  );
  const versioned = await (
    await fetch(`${server.url}/models/m?version=1&range=7d`, { headers: session })
  ).text();
  assert.match(versioned, /href="\/v1\/models\/m\/series\?points=1000&#38;version=1&#38;last=7d"/);
  const alertLink = await (
    await fetch(`${server.url}/models/m?from=2026-01-05T00:00:00Z&to=2026-01-05T01:00:00Z`, {
      headers: session,
    })
  ).text();
  assert.doesNotMatch(
    alertLink,
    /rel="preload"/,
    "an alert's link widens the range in the page: nothing to preload",
  );
  assert.doesNotMatch(html, /<script>|<style>|style="/, "nothing inline: the policy forbids it");
  assert.ok((await fetch(`${server.url}/v1/overview`, { headers: session })).ok, "the session reads the API");
  // A read session cannot write, and no session write passes without the CSRF header.
  const silence = (headers: Record<string, string>) =>
    fetch(`${server.url}/v1/silences`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({
        matchers: [{ name: "model", value: "m" }],
        endsAt: T0 + HOUR,
        createdBy: "t",
        comment: "c",
      }),
    });
  assert.equal((await silence(session)).status, 403);
  assert.equal((await silence({ ...session, "x-tiktoktoe-csrf": "1" })).status, 403, "read scope only");

  const logout = await fetch(`${server.url}/logout`, {
    method: "POST",
    headers: session,
    redirect: "manual",
  });
  assert.equal(logout.status, 303);
  assert.equal(
    (await fetch(`${server.url}/v1/overview`, { headers: session })).status,
    401,
    "the session ended",
  );
});

test("assets are immutable for a year, gzipped on request, and a stale name is a 404", async () => {
  const login = await fetch(`${server.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "token=adm-1&next=%2F",
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  const html = await (await fetch(`${server.url}/`, { headers: { cookie } })).text();
  const script = /src="\/ui\/(main-[0-9a-f]{10}\.js)"/.exec(html)?.[1];
  const style = /href="\/ui\/(main-[0-9a-f]{10}\.css)"/.exec(html)?.[1];
  assert.ok(script && style, html);
  const plain = await fetch(`${server.url}/ui/${script}`, { headers: { "accept-encoding": "identity" } });
  assert.equal(plain.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.equal(plain.headers.get("content-type"), "text/javascript; charset=utf-8");
  const body = Buffer.from(await plain.arrayBuffer());
  // fetch() decompresses by itself; ask with node:http to see the encoded bytes.
  const zipped = await new Promise<{ encoding: string | undefined; bytes: Buffer }>((resolve, reject) => {
    const request = httpRequest(
      `${server.url}/ui/${script}`,
      { headers: { "accept-encoding": "gzip" } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () =>
          resolve({ encoding: response.headers["content-encoding"], bytes: Buffer.concat(chunks) }),
        );
      },
    );
    request.on("error", reject);
    request.end();
  });
  assert.equal(zipped.encoding, "gzip");
  assert.ok(zipped.bytes.length < body.length / 2, `${zipped.bytes.length} of ${body.length} bytes`);
  assert.deepEqual(gunzipSync(zipped.bytes), body);
  const stale = await fetch(`${server.url}/ui/main-0000000000.js`);
  assert.equal(stale.status, 404);
  assert.equal(((await stale.json()) as { code: string }).code, "NOT_FOUND");
});

test("series: one point per window, ranges relative to the model clock, downsampling, and bad parameters", async () => {
  type Series = {
    bucket: number;
    now: number;
    versions: Array<{ start: number[]; events: number[]; windows: number[]; p99: Array<number | null> }>;
  };
  const get = async (query: string) => {
    const response = await fetch(`${server.url}/v1/models/m/series?${query}`, { headers: admin });
    return {
      status: response.status,
      body: (await response.json()) as Series & { code?: string; location?: { path?: string } },
    };
  };
  const all = await get("");
  assert.equal(all.status, 200);
  assert.equal(all.body.bucket, 1);
  assert.equal(all.body.versions[0]!.start.length, 48);
  assert.ok(all.body.versions[0]!.events.every((n) => n === 5));
  // The model clock is the newest event (event-time clock); 24h back from it holds 24 windows.
  assert.equal(all.body.now, T0 + 47 * HOUR + 4 * 60_000);
  const day = await get("last=24h");
  assert.equal(day.body.versions[0]!.start.length, 24);
  assert.equal(day.body.versions[0]!.start[0], T0 + 24 * HOUR);
  const ranged = await get(`from=${new Date(T0 + 10 * HOUR).toISOString()}&to=${T0 + 20 * HOUR}`);
  assert.equal(ranged.body.versions[0]!.start.length, 10);
  const down = await get("points=10");
  assert.equal(down.body.bucket, 5);
  assert.deepEqual(down.body.versions[0]!.windows, [5, 5, 5, 5, 5, 5, 5, 5, 5, 3]);
  assert.equal(
    down.body.versions[0]!.events.reduce((a, b) => a + b, 0),
    240,
  );
  for (const [query, path] of [
    ["points=1", "points"],
    ["points=abc", "points"],
    ["last=1y", "last"],
    ["from=yesterday", "from"],
  ] as const) {
    const bad = await get(query);
    assert.equal(bad.status, 400, query);
    assert.equal(bad.body.code, "REQUEST_INVALID");
    assert.equal(bad.body.location?.path, path);
  }
  const unknown = await fetch(`${server.url}/v1/models/nope/series`, { headers: admin });
  assert.equal(unknown.status, 404);
});

/** Reads server-sent events until `count` events (not comments) have arrived. */
async function readEvents(
  headers: Record<string, string>,
  count: number,
  during?: () => Promise<void>,
): Promise<Array<{ id?: string; event: string; data: string }>> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/v1/stream`, {
    headers: { ...admin, ...headers },
    signal: controller.signal,
  });
  assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const reader = response.body!.getReader();
  const events: Array<{ id?: string; event: string; data: string }> = [];
  let buffer = "";
  const pending = during?.();
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += Buffer.from(value).toString("utf8");
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split("\n")) {
        const colon = line.indexOf(": ");
        if (line.startsWith(":") || colon < 0) continue;
        fields[line.slice(0, colon)] = line.slice(colon + 2);
      }
      if (fields.event !== undefined)
        events.push({
          ...(fields.id === undefined ? {} : { id: fields.id }),
          event: fields.event,
          data: fields.data ?? "",
        });
      end = buffer.indexOf("\n\n");
    }
  }
  controller.abort();
  await pending;
  return events;
}

test("the event stream announces new windows, replays what a reconnecting client missed, and resets a stranger", {
  timeout: 20_000,
}, async () => {
  const send = (id: string, hour: number) =>
    fetch(`${server.url}/v1/models/m/events`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/x-ndjson" },
      body: JSON.stringify({ id, time: T0 + hour * HOUR, version: "1", features: { x: 1 }, prediction: 1 }),
    }).then((r) => assert.equal(r.status, 200));
  const first = await readEvents({}, 2, () => send("live-1", 60));
  assert.equal(first[0]!.event, "hello");
  const window = first.find((e) => e.event === "window")!;
  const payload = JSON.parse(window.data) as { model: string; version: string; startMs: number };
  assert.deepEqual([payload.model, payload.version, payload.startMs], ["m", "1", T0 + 60 * HOUR]);

  // A client that saw `window` reconnects after two more windows were written: it gets both, in order.
  await send("live-2", 61);
  await send("live-3", 62);
  await server.service.flush();
  const resumed = await readEvents({ "last-event-id": window.id! }, 3);
  const starts = resumed
    .filter((e) => e.event === "window")
    .map((e) => (JSON.parse(e.data) as { startMs: number }).startMs);
  assert.ok(starts.includes(T0 + 61 * HOUR) && starts.includes(T0 + 62 * HOUR), JSON.stringify(resumed));
  assert.equal(resumed.at(-1)!.event, "hello", "the replay comes before the hello");
  // An id of another server run (a restart) cannot be resumed: reset, and the page reloads its data.
  const stranger = await readEvents({ "last-event-id": "zzz-5" }, 1);
  assert.equal(stranger[0]!.event, "reset");
});

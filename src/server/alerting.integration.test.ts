import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { deadUrl, type Receiver, startReceiver } from "../testing/receiver.js";
import { startServer } from "./start.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-alerting-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const H = 3_600_000;
const T0 = Date.parse("2026-03-02T00:00:00Z");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Received {
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}

test("a quality breach fires after two windows, reaches the webhook through an outage, and resolves", async () => {
  // A webhook receiver that fails the first delivery with 500, then accepts.
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  receiver.script.push({ status: 500, body: "try later" });
  const hook = `${receiver.url}/hook`;
  const received = () => receiver.requests.slice(1).map((r) => JSON.parse(r.body) as Received);
  writeFileSync(
    join(dir, "monitor.yaml"),
    [
      "monitor: { window: 1h, lateness: 1h, min_samples: 5 }",
      "metrics:",
      "  quality: { metric: mae, threshold: 10 }",
      "alerting:",
      `  channels: { hook: { type: webhook, url: "${hook}" } }`,
      "  receivers: { default: { channels: [hook] } }",
      "  route: { receiver: default, group_by: [model, alertname], group_wait: 0s, group_interval: 1m, repeat_interval: 1d }",
      "",
    ].join("\n"),
  );
  const server = await startServer({
    port: 0,
    dataDir: join(dir, "data"),
    configFile: join(dir, "monitor.yaml"),
    clock: "event",
    flushIntervalMs: 20,
    deliveryIntervalMs: 20,
  });
  const json = (body: unknown) => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  try {
    await fetch(
      `${server.url}/v1/models`,
      json({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] }),
    );
    await fetch(`${server.url}/v1/models/m/versions`, json({ version: "1" }));
    // Twelve hours: the first six predict 50 off (MAE 50 > 10), the next six 1 off.
    for (let hour = 0; hour < 12; hour++) {
      const error = hour < 6 ? 50 : 1;
      const events = Array.from({ length: 10 }, (_, i) => ({
        id: `h${hour}-${i}`,
        time: T0 + hour * H + i * 60_000,
        version: "1",
        features: { x: i },
        prediction: 100 + error,
      }));
      const ndjson = events.map((e) => JSON.stringify(e)).join("\n");
      assert.equal(
        (
          await fetch(`${server.url}/v1/models/m/events`, {
            method: "POST",
            headers: { "content-type": "application/x-ndjson" },
            body: ndjson,
          })
        ).status,
        200,
      );
      await fetch(`${server.url}/v1/models/m/labels`, json(events.map((e) => ({ id: e.id, value: 100 }))));
      await sleep(60); // let the flush timer close windows and the delivery loop run
    }
    // Push the clock past the last windows and let delivery retry after the 500.
    await fetch(`${server.url}/v1/models/m/events`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: JSON.stringify({
        id: "late",
        time: T0 + 20 * H,
        version: "1",
        features: { x: 0 },
        prediction: 100,
      }),
    });
    for (let i = 0; i < 100 && !received().some((r) => r.status === "resolved"); i++) await sleep(50);

    const firing = received().find((r) => r.status === "firing");
    assert.ok(firing, `no firing notification arrived (${receiver.requests.length} requests)`);
    assert.equal(firing.alerts[0]!.labels.alertname, "ModelQualityLow");
    assert.equal(firing.alerts[0]!.labels.model, "m");
    assert.equal(firing.alerts[0]!.labels.severity, "critical");
    const resolved = received().find((r) => r.status === "resolved");
    assert.ok(resolved, "the resolution was delivered");
    assert.equal(received().filter((r) => r.status === "firing").length, 1, "delivered once, none twice");
    assert.ok(receiver.requests.length >= 3, "the first attempt failed with 500 and was retried");

    // While firing it was listed, and could be acknowledged (checked again after the resolution: the ack stays).
    const outbox = await server.store.listNotifications(10);
    assert.ok(
      outbox.every((n) => n.state === "sent"),
      JSON.stringify(outbox.map((n) => [n.state, n.attempts, n.lastError])),
    );
    assert.ok(outbox.some((n) => n.attempts === 2 && n.lastError === null));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /tiktoktoe_notifications_total\{channel="hook",result="sent"\} 2/);
    assert.match(metrics, /tiktoktoe_notifications_total\{channel="hook",result="server_error"\} 1/);
    // Latency is a summary: _sum in seconds and _count, the three attempts above.
    assert.match(metrics, /^# TYPE tiktoktoe_notification_latency_seconds summary$/m);
    assert.match(metrics, /^tiktoktoe_notification_latency_seconds_sum\{channel="hook"\} \d/m);
    assert.match(metrics, /^tiktoktoe_notification_latency_seconds_count\{channel="hook"\} 3$/m);
  } finally {
    await server.close();
    await receiver.close();
  }
});

test("silences through the API; bad alerting configuration is refused at start-up with every problem", async () => {
  writeFileSync(
    join(dir, "bad.yaml"),
    [
      "alerting:",
      "  channels: { hook: { type: carrier-pigeon } }",
      "  receivers: { default: { channels: [nope] } }",
      "  route: { receiver: missing, group_wait: 3 parsecs }",
      "",
    ].join("\n"),
  );
  await assert.rejects(
    startServer({ port: 0, dataDir: join(dir, "bad"), configFile: join(dir, "bad.yaml") }),
    (error: Error & { code?: string; problems?: string[] }) => {
      assert.equal(error.code, "CONFIG_INVALID");
      const text = (error.problems ?? []).join("\n");
      assert.match(text, /alerting\.channels\.hook/);
      assert.match(text, /alerting\.route\.group_wait/);
      assert.match(text, /alerting\.route/);
      return true;
    },
  );

  writeFileSync(
    join(dir, "ok.yaml"),
    [
      "alerting:",
      "  channels: { hook: { type: webhook, url: 'http://127.0.0.1:9/x' } }",
      "  receivers: { default: { channels: [hook] } }",
      "  route: { receiver: default }",
      "",
    ].join("\n"),
  );
  const server = await startServer({ port: 0, dataDir: join(dir, "ok"), configFile: join(dir, "ok.yaml") });
  try {
    const created = await fetch(`${server.url}/v1/silences`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        matchers: [{ name: "model", value: "bike", isRegex: false }],
        endsAt: Date.now() + H,
        createdBy: "ana",
        comment: "retraining",
      }),
    });
    assert.equal(created.status, 201);
    const { silenceID } = (await created.json()) as { silenceID: string };
    const listed = (await (await fetch(`${server.url}/v1/silences`)).json()) as {
      silences: Array<{ id: string; status: { state: string } }>;
    };
    assert.deepEqual(
      listed.silences.map((s) => [s.id, s.status.state]),
      [[silenceID, "active"]],
    );
    const bad = await fetch(`${server.url}/v1/silences`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ matchers: [] }),
    });
    assert.equal(bad.status, 400);
    assert.equal((await fetch(`${server.url}/v1/silences/${silenceID}`, { method: "DELETE" })).status, 200);
    const after = (await (await fetch(`${server.url}/v1/silences`)).json()) as {
      silences: Array<{ status: { state: string } }>;
    };
    assert.equal(after.silences[0]!.status.state, "expired");
    assert.equal(
      ((await (await fetch(`${server.url}/v1/alerts`)).json()) as { alerts: unknown[] }).alerts.length,
      0,
    );
  } finally {
    await server.close();
  }
});

test("Slack outage (refused, then 500, then 429 with Retry-After): the alert arrives once after recovery", async () => {
  const down = await deadUrl(); // Slack refuses connections until it comes back on this port
  writeFileSync(
    join(dir, "slack.yaml"),
    [
      "monitor: { window: 1h, lateness: 1h, min_samples: 5 }",
      "metrics:",
      "  quality: { metric: mae, threshold: 10 }",
      "alerting:",
      `  channels: { oncall: { type: slack, url: "${down}/services/T000/B000/XXXX" } }`,
      "  receivers: { default: { channels: [oncall] } }",
      "  route: { receiver: default, group_by: [model, alertname], group_wait: 0s, repeat_interval: 1d }",
      "",
    ].join("\n"),
  );
  const server = await startServer({
    port: 0,
    dataDir: join(dir, "slack"),
    configFile: join(dir, "slack.yaml"),
    clock: "event",
    flushIntervalMs: 20,
    deliveryIntervalMs: 20,
  });
  const json = (body: unknown) => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  let slack: Receiver | undefined;
  try {
    await fetch(
      `${server.url}/v1/models`,
      json({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] }),
    );
    await fetch(`${server.url}/v1/models/m/versions`, json({ version: "1" }));
    for (let hour = 0; hour < 5; hour++) {
      const events = Array.from({ length: 10 }, (_, i) => ({
        id: `h${hour}-${i}`,
        time: T0 + hour * H + i * 60_000,
        version: "1",
        features: { x: i },
        prediction: 150,
      }));
      await fetch(`${server.url}/v1/models/m/events`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: events.map((e) => JSON.stringify(e)).join("\n"),
      });
      await fetch(`${server.url}/v1/models/m/labels`, json(events.map((e) => ({ id: e.id, value: 100 }))));
      await sleep(60);
    }
    // The alert is decided while Slack refuses connections; then Slack comes back, flaky at first.
    for (let i = 0; i < 100 && (await server.store.listNotifications(5)).every((n) => n.attempts === 0); i++)
      await sleep(50);
    const before = await server.store.listNotifications(5);
    assert.equal(before[0]!.lastError, "network", "the first attempt met a refused connection");
    slack = await startReceiver(() => ({ status: 200, body: "ok" }), Number(new URL(down).port));
    slack.script.push(
      { status: 500, body: "internal_error" },
      { status: 429, headers: { "retry-after": "1" }, body: "rate_limited" },
    );
    const answered = slack;
    const messages = () =>
      answered.requests.slice(2).map((r) => JSON.parse(r.body) as { text: string; blocks: unknown[] });
    for (let i = 0; i < 400 && messages().length === 0; i++) await sleep(50);
    await sleep(300);
    assert.equal(slack.requests.length, 3, "retried through 500 and 429, then delivered");
    assert.equal(messages().length, 1, "delivered once");
    assert.match(messages()[0]!.text, /ModelQualityLow|quality/i);
    assert.ok(Array.isArray(messages()[0]!.blocks) && messages()[0]!.blocks.length > 0);
    const [item] = await server.store.listNotifications(1);
    assert.equal(item!.state, "sent");
  } finally {
    await server.close();
    await slack?.close();
  }
});

test("no data: three closed windows without events fire ModelNoData (wall clock), and data resolves it", async () => {
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  const hook = `${receiver.url}/hook`;
  const received = () => receiver.requests.map((r) => JSON.parse(r.body) as Received);
  writeFileSync(
    join(dir, "nodata.yaml"),
    [
      "monitor: { window: 1h, lateness: 1h, min_samples: 5 }",
      "alerting:",
      `  channels: { hook: { type: webhook, url: "${hook}" } }`,
      "  receivers: { default: { channels: [hook] } }",
      "  route: { receiver: default, group_by: [model, alertname], group_wait: 0s, group_interval: 1m }",
      "",
    ].join("\n"),
  );
  let now = Date.parse("2026-05-01T00:00:00Z");
  const server = await startServer({
    port: 0,
    dataDir: join(dir, "nodata"),
    configFile: join(dir, "nodata.yaml"),
    now: () => now,
    flushIntervalMs: 20,
    deliveryIntervalMs: 20,
  });
  const json = (body: unknown) => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const send = (from: number, at: number) =>
    fetch(`${server.url}/v1/models/m/events`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: Array.from({ length: 5 }, (_, i) =>
        JSON.stringify({
          id: `e${from + i}`,
          time: at + i * 1000,
          version: "1",
          features: { x: i },
          prediction: 1,
        }),
      ).join("\n"),
    });
  try {
    await fetch(
      `${server.url}/v1/models`,
      json({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] }),
    );
    await fetch(`${server.url}/v1/models/m/versions`, json({ version: "1" }));
    assert.equal((await send(0, now + 60_000)).status, 200);
    now += 2 * H;
    await sleep(150);
    assert.equal(received().length, 0, "two hours of silence are not yet three closed empty windows");
    now += 4 * H; // hours 1..4 closed and empty
    for (let i = 0; i < 100 && received().length === 0; i++) await sleep(20);
    assert.equal(received()[0]?.status, "firing");
    assert.equal(received()[0]?.alerts[0]?.labels.alertname, "ModelNoData");
    assert.equal(received()[0]?.alerts[0]?.labels.severity, "warning");
    // Data again: once its window is among the last three closed ones, the alert resolves.
    assert.equal((await send(100, now + 60_000)).status, 200);
    now += 3 * H;
    await sleep(100);
    now += 2 * 60_000; // the group's next group_interval tick (1 minute) announces the resolution
    for (let i = 0; i < 100 && !received().some((r) => r.status === "resolved"); i++) await sleep(20);
    assert.ok(
      received().some((r) => r.status === "resolved" && r.alerts[0]?.labels.alertname === "ModelNoData"),
    );
  } finally {
    await server.close();
    await receiver.close();
  }
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
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
  const received: Received[] = [];
  let requests = 0;
  const receiver: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      requests++;
      if (requests === 1) {
        response.writeHead(500).end("try later");
        return;
      }
      received.push(JSON.parse(body) as Received);
      response.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
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
    for (let i = 0; i < 100 && !received.some((r) => r.status === "resolved"); i++) await sleep(50);

    const firing = received.find((r) => r.status === "firing");
    assert.ok(firing, `no firing notification arrived (${requests} requests)`);
    assert.equal(firing.alerts[0]!.labels.alertname, "ModelQualityLow");
    assert.equal(firing.alerts[0]!.labels.model, "m");
    assert.equal(firing.alerts[0]!.labels.severity, "critical");
    const resolved = received.find((r) => r.status === "resolved");
    assert.ok(resolved, "the resolution was delivered");
    assert.equal(received.filter((r) => r.status === "firing").length, 1, "delivered once, none twice");
    assert.ok(requests >= 3, "the first attempt failed with 500 and was retried");

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
    assert.match(metrics, /tiktoktoe_notification_latency_seconds_sum\{channel="hook"\} \d/);
  } finally {
    await server.close();
    receiver.close();
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
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  writeFileSync(
    join(dir, "slack.yaml"),
    [
      "monitor: { window: 1h, lateness: 1h, min_samples: 5 }",
      "metrics:",
      "  quality: { metric: mae, threshold: 10 }",
      "alerting:",
      `  channels: { oncall: { type: slack, url: "http://127.0.0.1:${port}/services/T000/B000/XXXX" } }`,
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
  const messages: Array<{ text: string; blocks: unknown[] }> = [];
  const answers: number[] = [];
  const slack: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      const n = answers.length;
      if (n === 0) {
        answers.push(500);
        response.writeHead(500).end("internal_error");
      } else if (n === 1) {
        answers.push(429);
        response.writeHead(429, { "retry-after": "1" }).end("rate_limited");
      } else {
        answers.push(200);
        messages.push(JSON.parse(body) as { text: string; blocks: unknown[] });
        response.writeHead(200).end("ok");
      }
    });
  });
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
    await new Promise<void>((resolve) => slack.listen(port, "127.0.0.1", resolve));
    for (let i = 0; i < 400 && messages.length === 0; i++) await sleep(50);
    await sleep(300);
    assert.deepEqual(answers, [500, 429, 200], "retried through 500 and 429, then delivered");
    assert.equal(messages.length, 1, "delivered once");
    assert.match(messages[0]!.text, /ModelQualityLow|quality/i);
    assert.ok(Array.isArray(messages[0]!.blocks) && messages[0]!.blocks.length > 0);
    const [item] = await server.store.listNotifications(1);
    assert.equal(item!.state, "sent");
  } finally {
    await server.close();
    slack.close();
  }
});

test("no data: three closed windows without events fire ModelNoData (wall clock), and data resolves it", async () => {
  const received: Received[] = [];
  const receiver: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      received.push(JSON.parse(body) as Received);
      response.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
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
    assert.equal(received.length, 0, "two hours of silence are not yet three closed empty windows");
    now += 4 * H; // hours 1..4 closed and empty
    for (let i = 0; i < 100 && received.length === 0; i++) await sleep(20);
    assert.equal(received[0]?.status, "firing");
    assert.equal(received[0]?.alerts[0]?.labels.alertname, "ModelNoData");
    assert.equal(received[0]?.alerts[0]?.labels.severity, "warning");
    // Data again: once its window is among the last three closed ones, the alert resolves.
    assert.equal((await send(100, now + 60_000)).status, 200);
    now += 3 * H;
    await sleep(100);
    now += 2 * 60_000; // the group's next group_interval tick (1 minute) announces the resolution
    for (let i = 0; i < 100 && !received.some((r) => r.status === "resolved"); i++) await sleep(20);
    assert.ok(
      received.some((r) => r.status === "resolved" && r.alerts[0]?.labels.alertname === "ModelNoData"),
    );
  } finally {
    await server.close();
    receiver.close();
  }
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { deadUrl, startReceiver } from "../testing/receiver.js";
import { exited, spawnServe } from "../testing/serve-process.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-alert-crash-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const H = 3_600_000;
const T0 = Date.parse("2026-03-02T00:00:00Z");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const serve = (config: string) =>
  spawnServe(["--data-dir", join(dir, "data"), "--port", "0", "--clock", "event", "--config", config]);

test("kill -9 after an alert is decided and before it is delivered: delivered exactly once after the restart", async () => {
  // Reserve a port for the receiver, but keep it closed while the alert is decided (connection refused).
  const down = await deadUrl();
  const config = join(dir, "monitor.yaml");
  writeFileSync(
    config,
    [
      "monitor: { window: 1h, lateness: 1h, min_samples: 5 }",
      "metrics:",
      "  quality: { metric: mae, threshold: 10 }",
      "alerting:",
      `  channels: { hook: { type: webhook, url: "${down}/hook" } }`,
      "  receivers: { default: { channels: [hook] } }",
      "  route: { receiver: default, group_by: [model, alertname], group_wait: 0s, repeat_interval: 1d }",
      "",
    ].join("\n"),
  );
  let { child, url } = await serve(config);
  const json = (body: unknown) => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await fetch(
    `${url}/v1/models`,
    json({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] }),
  );
  await fetch(`${url}/v1/models/m/versions`, json({ version: "1" }));
  for (let hour = 0; hour < 6; hour++) {
    const events = Array.from({ length: 10 }, (_, i) => ({
      id: `h${hour}-${i}`,
      time: T0 + hour * H + i * 60_000,
      version: "1",
      features: { x: i },
      prediction: 150,
    }));
    await fetch(`${url}/v1/models/m/events`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: events.map((e) => JSON.stringify(e)).join("\n"),
    });
    await fetch(`${url}/v1/models/m/labels`, json(events.map((e) => ({ id: e.id, value: 100 }))));
    await sleep(2200); // the default flush interval (2 s) closes windows and evaluates the rules
  }
  // The alert is firing and its notification is in the outbox, undeliverable: the receiver is down.
  const alerts = (await (await fetch(`${url}/v1/alerts`)).json()) as {
    alerts: Array<{ fingerprint: string; labels: Record<string, string> }>;
  };
  const alert = alerts.alerts.find((a) => a.labels.alertname === "ModelQualityLow");
  assert.ok(alert, JSON.stringify(alerts));
  // Someone takes it: the acknowledgement is kept with the alerting state.
  assert.equal(
    (await fetch(`${url}/v1/alerts/${alert.fingerprint}/ack`, json({ by: "ana", comment: "looking" })))
      .status,
    200,
  );
  assert.equal((await fetch(`${url}/v1/alerts/0000000000000000/ack`, json({ by: "ana" }))).status, 404);
  assert.equal((await fetch(`${url}/v1/alerts/${alert.fingerprint}/ack`, json({}))).status, 400);
  child.kill("SIGKILL");
  await exited(child);

  // The receiver comes up; the server restarts and delivers the decided notification, once.
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }), Number(new URL(down).port));
  const received = () => receiver.requests.map((r) => r.body);
  ({ child, url } = await serve(config));
  try {
    for (let i = 0; i < 200 && received().length === 0; i++) await sleep(50);
    await sleep(3000); // long enough for a wrongly repeated delivery to show up
    const firing = received().map(
      (b) => JSON.parse(b) as { status: string; alerts: Array<{ labels: Record<string, string> }> },
    );
    assert.equal(firing.length, 1, `deliveries: ${received().length}`);
    assert.equal(firing[0]!.status, "firing");
    assert.equal(firing[0]!.alerts[0]!.labels.alertname, "ModelQualityLow");
    const listed = (await (await fetch(`${url}/v1/alerts`)).json()) as {
      alerts: Array<{ ack: { by: string } | null }>;
    };
    assert.equal(
      listed.alerts[0]?.ack?.by,
      "ana",
      `the acknowledgement survived the crash: ${JSON.stringify(listed)}`,
    );
  } finally {
    child.kill("SIGTERM");
    await exited(child);
    await receiver.close();
  }
});

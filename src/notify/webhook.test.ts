import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AttemptRecord, deliver } from "./delivery.js";
import {
  type Receiver,
  resolvedNotification,
  sampleAlert,
  sampleNotification,
  startReceiver,
} from "./receivers.test.helpers.js";
import { buildWebhookPayload, WebhookNotifier } from "./webhook.js";

const token = "hook-token-0123456789";
const fast = { initialDelayMs: 5, maxDelayMs: 20, random: () => 1 } as const;

describe("webhook payload v4", () => {
  let hook: Receiver;
  before(async () => {
    hook = await startReceiver(() => ({ status: 200, body: "" }));
  });
  after(() => hook.close());

  test("Alertmanager's fields, field by field, as received over HTTP with the bearer token", async () => {
    const notifier = new WebhookNotifier({ name: "hook", url: `${hook.url}/alerts?x=1`, token });
    const seen = hook.requests.length;
    const { generatorURL: _, ...withoutSource } = sampleAlert({
      endsAt: "",
      fingerprint: "00000000000000ff",
    });
    const notification = sampleNotification({
      alerts: [sampleAlert(), withoutSource],
      commonAnnotations: { runbook_url: "https://runbooks.example.org/bike" },
    });
    assert.deepEqual(await notifier.send(notification, AbortSignal.timeout(5_000)), {
      ok: true,
      status: 200,
    });
    const request = hook.requests[seen]!;
    assert.equal(request.method, "POST");
    assert.equal(request.url, "/alerts?x=1");
    assert.equal(request.headers.authorization, `Bearer ${token}`);
    assert.equal(request.headers["content-type"], "application/json");
    const payload = JSON.parse(request.body) as Record<string, unknown>;
    // Field order and presence as Alertmanager 0.25 sends them.
    assert.deepEqual(Object.keys(payload), [
      "version",
      "groupKey",
      "truncatedAlerts",
      "status",
      "receiver",
      "groupLabels",
      "commonLabels",
      "commonAnnotations",
      "externalURL",
      "alerts",
    ]);
    assert.equal(payload.version, "4");
    assert.equal(payload.groupKey, '{}:{model="bike"}');
    assert.equal(payload.truncatedAlerts, 0);
    assert.equal(payload.status, "firing");
    assert.equal(payload.receiver, "oncall");
    assert.deepEqual(payload.groupLabels, { model: "bike" });
    assert.deepEqual(payload.commonLabels, { model: "bike" });
    assert.deepEqual(payload.commonAnnotations, { runbook_url: "https://runbooks.example.org/bike" });
    assert.equal(payload.externalURL, "http://127.0.0.1:8080");
    const alerts = payload.alerts as Array<Record<string, unknown>>;
    assert.equal(alerts.length, 2);
    for (const alert of alerts)
      assert.deepEqual(Object.keys(alert), [
        "status",
        "labels",
        "annotations",
        "startsAt",
        "endsAt",
        "generatorURL",
        "fingerprint",
      ]);
    assert.deepEqual(alerts[0], {
      status: "firing",
      labels: { alertname: "ModelQualityLow", model: "bike", severity: "critical", metric: "mae" },
      annotations: { summary: "MAE above threshold", value: "91.2", threshold: "40" },
      startsAt: "2026-11-27T10:00:00Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://127.0.0.1:8080/models/bike/windows",
      fingerprint: "8edc4dc61615cc0a",
    });
    // A firing alert with no end given, and no generator URL: zero time and "" as Alertmanager sends them.
    assert.equal(alerts[1]!.endsAt, "0001-01-01T00:00:00Z");
    assert.equal(alerts[1]!.generatorURL, "");
  });

  test("resolved alerts carry their end; max_alerts truncates and counts", () => {
    const resolved = buildWebhookPayload(resolvedNotification());
    assert.equal(resolved.status, "resolved");
    assert.deepEqual(
      resolved.alerts.map((a) => [a.status, a.endsAt]),
      [
        ["resolved", "2026-11-27T11:00:00Z"],
        ["resolved", "2026-11-27T11:00:00Z"],
      ],
    );
    const truncated = buildWebhookPayload(sampleNotification(), { maxAlerts: 1 });
    assert.equal(truncated.alerts.length, 1);
    assert.equal(truncated.truncatedAlerts, 1);
  });

  test("429 and 5xx are retried, other 4xx are not; the token never appears in an outcome", async () => {
    const attempts: AttemptRecord[] = [];
    const notifier = new WebhookNotifier({ name: "hook", url: `${hook.url}/alerts`, token });
    hook.script.push({ status: 429, body: "" }, { status: 502, body: "bad gateway" });
    const retried = await deliver(notifier, sampleNotification(), {
      ...fast,
      onAttempt: (a) => attempts.push(a),
    });
    assert.equal(retried.ok, true);
    assert.deepEqual(
      attempts.map((a) => (a.outcome.ok ? "ok" : a.outcome.reason)),
      ["rate_limited", "server_error", "ok"],
    );
    for (const status of [400, 401, 403, 404, 422]) {
      hook.script.push({ status, body: `rejected Bearer ${token}` });
      const seen = hook.requests.length;
      const result = await deliver(notifier, sampleNotification(), fast);
      assert.equal(hook.requests.length - seen, 1, `${status} must not be retried`);
      assert.ok(!result.ok && result.gaveUp === "permanent");
      assert.ok(!JSON.stringify(result).includes(token), JSON.stringify(result));
    }
  });

  test("a redirect is not followed (it would hand the alerts and the token to another address)", async () => {
    const notifier = new WebhookNotifier({ name: "hook", url: `${hook.url}/alerts`, token });
    hook.script.push({ status: 302, headers: { location: "http://127.0.0.1:9/elsewhere" } });
    const seen = hook.requests.length;
    const outcome = await notifier.send(sampleNotification(), AbortSignal.timeout(5_000));
    assert.equal(hook.requests.length - seen, 1);
    assert.ok(!outcome.ok && !outcome.retry && outcome.reason === "client_error");
    assert.match(outcome.message, /redirects are not followed/);
  });
});

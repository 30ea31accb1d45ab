import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AttemptRecord, deliver } from "./delivery.js";
import {
  buildPagerDutyEvent,
  PagerDutyNotifier,
  pagerDutyDedupKey,
  pagerDutyLimits,
  pagerDutySeverity,
} from "./pagerduty.js";
import {
  checkPagerDutyEvent,
  pagerDutyAnswer,
  type Receiver,
  resolvedNotification,
  sampleAlert,
  sampleNotification,
  startReceiver,
} from "./receivers.test.helpers.js";

const routingKey = "R0UT1NGKEY0123456789abcdefABCDEF"; // 32 characters, like a real integration key
const fast = { initialDelayMs: 5, maxDelayMs: 20, random: () => 1 } as const;
// sha256('{}:{model="bike"}'), computed independently with `printf '%s' '{}:{model="bike"}' | sha256sum`.
const bikeDedupKey = "15054757fa9309c7e8dbc1c87ee136a50a75d047fea29a1799cadef8a144fe03";

describe("buildPagerDutyEvent", () => {
  test("a firing group triggers, with every field PagerDuty documents", () => {
    const event = buildPagerDutyEvent(sampleNotification(), { routingKey });
    assert.deepEqual(checkPagerDutyEvent(JSON.stringify(event)), []);
    assert.deepEqual(event, {
      routing_key: routingKey,
      event_action: "trigger",
      dedup_key: bikeDedupKey,
      payload: {
        summary: "[FIRING:2] critical bike",
        source: "127.0.0.1:8080",
        severity: "error",
        timestamp: "2026-11-27T10:00:00.000Z",
        component: "bike",
        class: "ModelQualityLow",
        custom_details: {
          firing:
            "ModelQualityLow: MAE above threshold (value 91.2, threshold 40)\n" +
            "ModelLatencyHigh: p99 latency above threshold (value 250ms, threshold 100ms)",
          resolved: "",
          num_firing: 2,
          num_resolved: 0,
          group_labels: { model: "bike" },
          common_labels: { model: "bike" },
          value: "91.2",
          threshold: "40",
        },
      },
      links: [{ href: "http://127.0.0.1:8080", text: "Dashboard" }],
      client: "TikTokToe",
      client_url: "http://127.0.0.1:8080",
    });
  });

  test("the dedup key is sha256 of the group key, as Alertmanager's, and the resolve reuses it", () => {
    assert.equal(pagerDutyDedupKey('{}:{model="bike"}'), bikeDedupKey);
    const resolve = buildPagerDutyEvent(resolvedNotification(), { routingKey });
    assert.deepEqual(resolve, { routing_key: routingKey, event_action: "resolve", dedup_key: bikeDedupKey });
    assert.deepEqual(checkPagerDutyEvent(JSON.stringify(resolve)), []);
  });

  test("severities keep their order: emergency → critical, critical → error, warning → warning", () => {
    assert.equal(pagerDutySeverity("emergency"), "critical");
    assert.equal(pagerDutySeverity("critical"), "error");
    assert.equal(pagerDutySeverity("warning"), "warning");
    assert.equal(pagerDutySeverity(undefined), "error");
    const emergency = sampleNotification({
      alerts: [
        sampleAlert({ labels: { alertname: "A", model: "bike", severity: "emergency" } }),
        sampleAlert(),
      ],
    });
    assert.equal(buildPagerDutyEvent(emergency, { routingKey }).payload?.severity, "critical");
    const warning = sampleNotification({
      alerts: [sampleAlert({ labels: { alertname: "A", model: "bike", severity: "warning" } })],
    });
    assert.equal(buildPagerDutyEvent(warning, { routingKey }).payload?.severity, "warning");
  });

  test("summary is cut to 1,024 characters; custom details go when the event would pass 512 KB", () => {
    const huge = "y".repeat(2_000);
    const alerts = Array.from({ length: 400 }, (_, i) =>
      sampleAlert({ annotations: { summary: huge }, fingerprint: String(i) }),
    );
    const event = buildPagerDutyEvent(
      sampleNotification({ alerts, groupLabels: { model: "bike", alertname: huge } }),
      { routingKey, source: "tiktoktoe.prod" },
    );
    const body = JSON.stringify(event);
    assert.deepEqual(checkPagerDutyEvent(body), []);
    assert.equal(event.payload?.summary.length, pagerDutyLimits.summary);
    assert.equal(event.payload?.source, "tiktoktoe.prod");
    assert.ok(Buffer.byteLength(body) <= pagerDutyLimits.eventBytes);
    assert.deepEqual(event.payload?.custom_details, {
      num_firing: 400,
      num_resolved: 0,
      note: "custom details removed: the event was over PagerDuty's 512 KB limit",
    });
  });
});

describe("PagerDutyNotifier against a PagerDuty-like receiver that checks the event", () => {
  let pd: Receiver;
  const attempts: AttemptRecord[] = [];
  const onAttempt = (attempt: AttemptRecord) => attempts.push(attempt);
  const notifier = () => new PagerDutyNotifier({ name: "pager", routingKey, url: `${pd.url}/v2/enqueue` });

  before(async () => {
    pd = await startReceiver(pagerDutyAnswer);
  });
  after(() => pd.close());

  test("202: trigger, then resolve with the same dedup key", async () => {
    const seen = pd.requests.length;
    assert.deepEqual(await notifier().send(sampleNotification(), AbortSignal.timeout(5_000)), {
      ok: true,
      status: 202,
    });
    assert.deepEqual(await notifier().send(resolvedNotification(), AbortSignal.timeout(5_000)), {
      ok: true,
      status: 202,
    });
    const [trigger, resolve] = pd.requests.slice(seen).map((r) => JSON.parse(r.body));
    assert.equal(pd.requests[seen]!.url, "/v2/enqueue");
    assert.equal(pd.requests[seen]!.headers["content-type"], "application/json");
    assert.equal(trigger.event_action, "trigger");
    assert.equal(resolve.event_action, "resolve");
    assert.equal(trigger.dedup_key, bikeDedupKey);
    assert.equal(resolve.dedup_key, bikeDedupKey);
  });

  test("429 with Retry-After is retried no sooner than asked; 429 without it, after backoff", async () => {
    pd.script.push({ status: 429, headers: { "retry-after": "1" }, body: "" });
    attempts.length = 0;
    const seen = pd.requests.length;
    const result = await deliver(notifier(), sampleNotification(), { ...fast, onAttempt });
    assert.equal(result.ok, true);
    const [first, second] = pd.requests.slice(seen);
    assert.ok(second!.at - first!.at >= 995, `retried after ${second!.at - first!.at} ms`);
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.outcome.ok ? "ok" : a.outcome.reason, a.nextDelayMs]),
      [
        [1, "rate_limited", 1000],
        [2, "ok", null],
      ],
    );

    pd.script.push({ status: 429, body: "" }, { status: 429, body: "" });
    attempts.length = 0;
    const again = await deliver(notifier(), sampleNotification(), { ...fast, onAttempt });
    assert.equal(again.ok, true);
    assert.equal(again.attempts, 3);
    assert.deepEqual(
      attempts.map((a) => a.nextDelayMs),
      [5, 10, null],
    );
  });

  test("500 is retried; 400 (invalid event) is not, and its errors are reported", async () => {
    pd.script.push({ status: 500, body: "internal" }, { status: 503, body: "unavailable" });
    attempts.length = 0;
    const retried = await deliver(notifier(), sampleNotification(), { ...fast, onAttempt });
    assert.equal(retried.ok, true);
    assert.deepEqual(
      attempts.map((a) => (a.outcome.ok ? a.outcome.status : `${a.outcome.status} ${a.outcome.reason}`)),
      ["500 server_error", "503 server_error", 202],
    );

    // A wrong routing key is one PagerDuty rejects with 400; the receiver checks it really is 32 characters.
    const bad = new PagerDutyNotifier({
      name: "pager",
      routingKey: "short-key-0123",
      url: `${pd.url}/v2/enqueue`,
    });
    attempts.length = 0;
    const seen = pd.requests.length;
    const result = await deliver(bad, sampleNotification(), { ...fast, onAttempt });
    assert.equal(pd.requests.length - seen, 1);
    assert.ok(!result.ok);
    assert.equal(result.gaveUp, "permanent");
    assert.ok(!result.outcome.ok);
    assert.equal(result.outcome.status, 400);
    assert.equal(result.outcome.retry, false);
    assert.match(
      result.outcome.message,
      /invalid event.*routing_key must be the 32-character integration key/,
    );
    assert.ok(!result.outcome.message.includes("short-key-0123"));
    assert.equal(attempts.length, 1);
  });

  test("the routing key never appears in an outcome, even when the server echoes it", async () => {
    pd.script.push({
      status: 400,
      body: JSON.stringify({ status: "invalid event", message: `bad key ${routingKey}` }),
    });
    const outcome = await notifier().send(sampleNotification(), AbortSignal.timeout(5_000));
    assert.ok(!outcome.ok);
    assert.ok(!JSON.stringify(outcome).includes(routingKey), JSON.stringify(outcome));
    assert.match(outcome.message, /bad key \[REDACTED\]/);
  });
});

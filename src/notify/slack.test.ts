import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { type AttemptRecord, deliver } from "./delivery.js";
import {
  checkSlackMessage,
  deadUrl,
  type Receiver,
  resolvedNotification,
  sampleAlert,
  sampleNotification,
  slackAnswer,
  startReceiver,
} from "./receivers.test.helpers.js";
import { buildSlackMessage, SlackNotifier, slackLimits } from "./slack.js";

const signal = () => AbortSignal.timeout(5_000);
const fast = { initialDelayMs: 5, maxDelayMs: 20, random: () => 1 } as const;

describe("buildSlackMessage", () => {
  test("a header with the title, the facts as fields, one section per alert, text as fallback", () => {
    const message = buildSlackMessage(sampleNotification());
    assert.deepEqual(checkSlackMessage(message), []);
    assert.deepEqual(message.blocks[0], {
      type: "header",
      text: { type: "plain_text", text: "[FIRING:2] critical bike", emoji: true },
    });
    const summary = message.blocks[1]!;
    assert.equal(summary.type, "section");
    assert.ok(summary.type === "section" && summary.text !== undefined);
    assert.match(summary.text.text, /2 firing/);
    assert.match(summary.text.text, /<http:\/\/127\.0\.0\.1:8080\|Open the dashboard>/);
    assert.deepEqual(
      summary.fields?.map((field) => field.text),
      ["*Severity*\ncritical", "*Model*\nbike", "*Value*\n91.2", "*Threshold*\n40"],
    );
    assert.equal(message.blocks.length, 4);
    const first = message.blocks[2]!;
    assert.ok(first.type === "section" && first.text !== undefined);
    assert.match(first.text.text, /^:red_circle: \*ModelQualityLow\* firing since 2026-11-27 10:00 UTC/);
    assert.match(first.text.text, /value `91\.2` vs threshold `40`/);
    assert.match(first.text.text, /`metric=mae` `severity=critical`/);
    assert.match(first.text.text, /<http:\/\/127\.0\.0\.1:8080\/models\/bike\/windows\|Source>/);
    assert.equal(
      message.text,
      "[FIRING:2] critical bike\n• ModelQualityLow: MAE above threshold (value 91.2, threshold 40)\n" +
        "• ModelLatencyHigh: p99 latency above threshold (value 250ms, threshold 100ms)",
    );
  });

  test("a resolved group says so in the header, the summary and each alert", () => {
    const message = buildSlackMessage(resolvedNotification());
    assert.deepEqual(checkSlackMessage(message), []);
    const header = message.blocks[0]!;
    assert.ok(header.type === "header");
    assert.equal(header.text.text, "[RESOLVED] critical bike");
    assert.match(message.text, /^\[RESOLVED\]/);
    assert.match(JSON.stringify(message.blocks[1]), /Resolved/);
    assert.match(
      JSON.stringify(message.blocks[2]),
      /:large_green_circle: \*ModelQualityLow\* resolved at 2026-11-27 11:00 UTC/,
    );
  });

  test("annotations cannot inject mentions or links", () => {
    const message = buildSlackMessage(
      sampleNotification({
        alerts: [
          sampleAlert({ annotations: { summary: "<!channel> see <https://evil.example|here> & more" } }),
        ],
      }),
    );
    const section = JSON.stringify(message.blocks[2]);
    assert.ok(!section.includes("<!channel>"));
    assert.match(section, /&lt;!channel&gt; see &lt;https:\/\/evil\.example\|here&gt; &amp; more/);
    assert.ok(!message.text.includes("<!channel>"));
  });

  test("a huge group stays within Slack's limits and says what it left out", () => {
    const long = "x".repeat(5_000);
    const alerts = Array.from({ length: 400 }, (_, i) =>
      sampleAlert({
        labels: { alertname: `Alert${i}`, model: "bike", severity: "critical", shard: `${i}` },
        annotations: { summary: `${long}\n${long}`, value: long, threshold: "1" },
        fingerprint: i.toString(16).padStart(16, "0"),
      }),
    );
    const message = buildSlackMessage(sampleNotification({ alerts, commonAnnotations: { value: long } }), {
      maxAlerts: 1000,
    });
    assert.deepEqual(checkSlackMessage(message), []);
    assert.ok(message.blocks.length <= slackLimits.blocks);
    assert.ok(message.text.length <= slackLimits.text);
    assert.ok(
      message.text.endsWith("\n… (message cut at Slack's 40,000-character limit)"),
      message.text.slice(-80),
    );
    const last = message.blocks.at(-1)!;
    assert.ok(last.type === "context");
    assert.match(last.elements[0]!.text, /354 more alert\(s\) not shown \(400 in all\)/);
    const header = buildSlackMessage(
      sampleNotification({ groupLabels: { model: "bike", alertname: "A".repeat(300) } }),
    ).blocks[0]!;
    assert.ok(header.type === "header" && header.text.text.length === slackLimits.headerText);
  });

  test("a group with no severity, model or annotations still renders a valid message", () => {
    const message = buildSlackMessage({
      groupKey: "{}:{}",
      receiver: "r",
      status: "firing",
      alerts: [
        {
          status: "firing",
          labels: {},
          annotations: {},
          startsAt: "2026-01-01T00:00:00Z",
          endsAt: "",
          fingerprint: "0",
        },
      ],
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: "",
    });
    assert.deepEqual(checkSlackMessage(message), []);
    assert.equal(message.text, "[FIRING:1]\n• alert");
  });
});

describe("SlackNotifier against a Slack-like receiver that checks the payload", () => {
  let slack: Receiver;
  const attempts: AttemptRecord[] = [];
  const record = (attempt: AttemptRecord) => attempts.push(attempt);

  before(async () => {
    slack = await startReceiver(slackAnswer);
  });
  after(() => slack.close());

  test("200 ok: one valid JSON POST", async () => {
    const notifier = new SlackNotifier({ name: "slack-oncall", url: `${slack.url}/services/T0/B0/secret` });
    const seen = slack.requests.length;
    assert.deepEqual(await notifier.send(sampleNotification(), signal()), { ok: true, status: 200 });
    const request = slack.requests[seen]!;
    assert.equal(request.method, "POST");
    assert.equal(request.url, "/services/T0/B0/secret");
    assert.equal(request.headers["content-type"], "application/json");
    assert.deepEqual(checkSlackMessage(JSON.parse(request.body)), []);
  });

  test("429 with Retry-After: retried no sooner than asked, every attempt recorded", async () => {
    const notifier = new SlackNotifier({ name: "slack-oncall", url: `${slack.url}/services/T0/B0/secret` });
    slack.script.push({ status: 429, headers: { "retry-after": "1" }, body: "rate_limited" });
    attempts.length = 0;
    const seen = slack.requests.length;
    const result = await deliver(notifier, sampleNotification(), { ...fast, onAttempt: record });
    assert.equal(result.ok, true);
    assert.equal(result.attempts, 2);
    const [first, second] = slack.requests.slice(seen);
    assert.ok(second!.at - first!.at >= 995, `retried after ${second!.at - first!.at} ms`);
    assert.equal(attempts.length, 2);
    assert.deepEqual(
      attempts.map((a) => [a.notifier, a.kind, a.attempt, a.outcome.ok, a.nextDelayMs]),
      [
        ["slack-oncall", "slack", 1, false, 1000],
        ["slack-oncall", "slack", 2, true, null],
      ],
    );
    assert.deepEqual(attempts[0]!.outcome, {
      ok: false,
      retry: true,
      retryAfterMs: 1000,
      reason: "rate_limited",
      status: 429,
      message: `${slack.url} answered 429: rate_limited`,
    });
    assert.ok(attempts.every((a) => a.durationMs >= 0 && !Number.isNaN(Date.parse(a.at))));
  });

  test("500 is retried; 400 invalid_payload and 404 channel_not_found are not", async () => {
    const notifier = new SlackNotifier({ name: "slack-oncall", url: `${slack.url}/services/T0/B0/secret` });
    slack.script.push({ status: 500, body: "rollup_error" });
    attempts.length = 0;
    const retried = await deliver(notifier, sampleNotification(), { ...fast, onAttempt: record });
    assert.equal(retried.ok, true);
    assert.deepEqual(
      attempts.map((a) => (a.outcome.ok ? "ok" : `${a.outcome.status} ${a.outcome.reason}`)),
      ["500 server_error", "ok"],
    );

    for (const [status, body] of [
      [400, "invalid_payload"],
      [404, "channel_not_found"],
      [410, "channel_is_archived"],
    ] as const) {
      slack.script.push({ status, body });
      attempts.length = 0;
      const seen = slack.requests.length;
      const result = await deliver(notifier, sampleNotification(), { ...fast, onAttempt: record });
      assert.equal(slack.requests.length - seen, 1, `${status} must not be retried`);
      assert.ok(!result.ok);
      assert.equal(result.gaveUp, "permanent");
      assert.equal(attempts.length, 1);
      assert.deepEqual(result.outcome, {
        ok: false,
        retry: false,
        reason: "client_error",
        status,
        message: `${slack.url} answered ${status}: ${body}`,
      });
    }
  });

  test("the receiver really rejects a malformed message (the checker is not a rubber stamp)", async () => {
    const response = await fetch(slack.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        text: "x",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "y".repeat(3001) } }],
      }),
    });
    assert.equal(response.status, 400);
    assert.equal(await response.text(), "invalid_payload");
  });

  test("the webhook URL (the credential) appears in no outcome, even when Slack cannot be reached", async () => {
    const token = "XXXXsecretTOKEN1234";
    const hookPath = `/services/T0AAA/B0BBB/${token}`;
    slack.script.push({ status: 403, body: `action_prohibited for ${hookPath}` });
    const answered = await new SlackNotifier({ name: "s", url: `${slack.url}${hookPath}` }).send(
      sampleNotification(),
      signal(),
    );
    const dead = `${await deadUrl()}${hookPath}`;
    const refused = await new SlackNotifier({ name: "s", url: dead }).send(sampleNotification(), signal());
    const invalid = await new SlackNotifier({ name: "s", url: `not a url ${token}` }).send(
      sampleNotification(),
      signal(),
    );
    for (const outcome of [answered, refused, invalid]) {
      assert.ok(!outcome.ok);
      assert.ok(!JSON.stringify(outcome).includes(token), JSON.stringify(outcome));
      assert.ok(!JSON.stringify(outcome).includes("T0AAA"), JSON.stringify(outcome));
    }
    assert.ok(!refused.ok && refused.retry && refused.reason === "network");
    assert.ok(!answered.ok && !answered.retry && answered.status === 403);
    assert.ok(!invalid.ok && !invalid.retry);
  });

  test("a slow Slack times out and is retryable; the caller's abort is not", async () => {
    const slow = createServer(() => {
      // Never answers: the notifier's own timeout must end the attempt.
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = slow.address() as AddressInfo;
      const url = `http://127.0.0.1:${port}/services/T/B/secret`;
      const timedOut = await new SlackNotifier({ name: "s", url, timeoutMs: 100 }).send(
        sampleNotification(),
        signal(),
      );
      assert.ok(!timedOut.ok && timedOut.retry && timedOut.reason === "timeout", JSON.stringify(timedOut));
      const controller = new AbortController();
      const pending = new SlackNotifier({ name: "s", url, timeoutMs: 5_000 }).send(
        sampleNotification(),
        controller.signal,
      );
      setTimeout(() => controller.abort(), 50);
      const aborted = await pending;
      assert.ok(!aborted.ok && !aborted.retry && aborted.reason === "aborted", JSON.stringify(aborted));
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isTikTokToeError } from "../errors/index.js";
import { AlertmanagerNotifier } from "./alertmanager.js";
import { parseChannels } from "./channels.js";
import { EmailNotifier } from "./email.js";
import { PagerDutyNotifier } from "./pagerduty.js";
import { loadNotifiers, resolveChannels, type SecretSource } from "./secrets.js";
import { SlackNotifier } from "./slack.js";
import { WebhookNotifier } from "./webhook.js";

const slackUrl = "https://hooks.slack.com/services/T0AAA/B0BBB/SlackSecretToken123";
const routingKey = "0123456789abcdef0123456789abcdef";
const smtp = "smtp://alerts:Sup3rSecret@mail.example.org:587";

const valid = {
  "slack-oncall": { type: "slack", url: { file: "/run/secrets/slack" } },
  pager: { type: "pagerduty", routing_key: { env: "PD_KEY" }, source: "tiktoktoe.prod" },
  mail: {
    type: "email",
    smtp: { env: "SMTP_URL" },
    from: "tiktoktoe@example.org",
    to: ["oncall@example.org"],
  },
  hook: {
    type: "webhook",
    url: "https://bridge.example.org/alerts",
    token: { env: "HOOK_TOKEN" },
    max_alerts: 50,
  },
  am: { type: "alertmanager", url: "http://alertmanager:9093", timeout_ms: 5_000, send_resolved: false },
};

const source: SecretSource = {
  readFile: async (path) => {
    if (path === "/run/secrets/slack") return `${slackUrl}\n`;
    if (path === "/run/secrets/empty") return "\n";
    if (path === "/run/secrets/bad-url") return "ftp://files.example.org/Secret-In-File\n";
    throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
  },
  env: (name) =>
    (
      ({ PD_KEY: routingKey, SMTP_URL: smtp, HOOK_TOKEN: "hook-token-123", EMPTY: "" }) as Record<
        string,
        string
      >
    )[name],
};

describe("parseChannels", () => {
  test("a valid configuration of all five types, with Alertmanager's send_resolved defaults", () => {
    const result = parseChannels(valid);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.channels, {
      "slack-oncall": { type: "slack", url: { file: "/run/secrets/slack" }, send_resolved: false },
      pager: {
        type: "pagerduty",
        routing_key: { env: "PD_KEY" },
        source: "tiktoktoe.prod",
        send_resolved: true,
      },
      mail: {
        type: "email",
        smtp: { env: "SMTP_URL" },
        from: "tiktoktoe@example.org",
        to: ["oncall@example.org"],
        send_resolved: false,
      },
      hook: {
        type: "webhook",
        url: "https://bridge.example.org/alerts",
        token: { env: "HOOK_TOKEN" },
        max_alerts: 50,
        send_resolved: true,
      },
      am: { type: "alertmanager", url: "http://alertmanager:9093", timeout_ms: 5_000, send_resolved: false },
    });
    assert.deepEqual(parseChannels({}), { ok: true, channels: {} });
  });

  test("every problem at once, each with its path, and no inline secret quoted", () => {
    const result = parseChannels(
      {
        "slack-oncall": {
          type: "slack",
          url: "ftp://hooks.example.org/T0/B0/InlineSecret999",
          colour: "red",
        },
        pager: { type: "pagerduty" },
        mail: {
          type: "email",
          smtp: "https://user:MailPass777@mail",
          from: "nobody",
          to: ["ok@example.org", 3, "x"],
        },
        hook: { type: "webhok", url: "https://x" },
        am: { type: "alertmanager", url: { env: "1BAD" }, timeout_ms: -1, send_resolved: "yes" },
        "bad name!": { type: "webhook", url: { file: "" } },
        list: ["not", "an", "object"],
        nothing: { url: "https://x" },
      },
      { path: "alerting.channels" },
    );
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((p) => [p.kind, p.path, p.message]),
      [
        ["unknown_key", "alerting.channels.slack-oncall.colour", "unknown key for a slack channel"],
        ["value", "alerting.channels.slack-oncall.url", "must be an http or https URL, not ftp:"],
        ["type", "alerting.channels.pager.routing_key", "is missing"],
        ["value", "alerting.channels.mail.smtp", "must be an smtp:// or smtps:// URL, not https:"],
        ["value", "alerting.channels.mail.from", '"nobody" is not an email address'],
        ["type", "alerting.channels.mail.to[1]", "must be a string, got a number"],
        ["value", "alerting.channels.mail.to[2]", '"x" is not an email address'],
        ["value", "alerting.channels.hook.type", '"webhok" is not a channel type'],
        ["type", "alerting.channels.am.send_resolved", "must be true or false, got a string"],
        ["value", "alerting.channels.am.timeout_ms", "must be an integer from 1 to 120000, got -1"],
        ["value", "alerting.channels.am.url.env", "must be an environment variable name"],
        ["value", 'alerting.channels["bad name!"]', "is not a valid channel name"],
        ["type", 'alerting.channels["bad name!"].url.file', "must be a non-empty path"],
        ["type", "alerting.channels.list", "must be an object, got a list"],
        ["type", "alerting.channels.nothing.type", "is missing"],
      ],
    );
    const text = JSON.stringify(result.problems);
    for (const secret of ["InlineSecret999", "MailPass777"]) assert.ok(!text.includes(secret), secret);
    assert.match(result.problems[7]!.hint, /one of slack, pagerduty, email, webhook, alertmanager/);
    assert.match(result.problems[0]!.hint, /type, timeout_ms, send_resolved, url, max_alerts/);
    assert.deepEqual(parseChannels(null), {
      ok: false,
      problems: [
        {
          kind: "type",
          path: "channels",
          message: "must be an object of channels by name, got null",
          hint: 'e.g. { "slack-oncall": { type: slack, url: { env: SLACK_URL } } }',
        },
      ],
    });
  });
});

describe("resolveChannels and loadNotifiers", () => {
  test("secrets come from the injected files and variables; the trailing newline is dropped", async () => {
    const parsed = parseChannels(valid);
    assert.ok(parsed.ok);
    const resolved = await resolveChannels(parsed.channels, source);
    assert.ok(resolved.ok, JSON.stringify(resolved));
    assert.equal(resolved.channels["slack-oncall"]!.type, "slack");
    assert.deepEqual(resolved.channels["slack-oncall"], {
      type: "slack",
      url: slackUrl,
      send_resolved: false,
    });
    assert.deepEqual(resolved.channels.pager, {
      type: "pagerduty",
      routing_key: routingKey,
      source: "tiktoktoe.prod",
      send_resolved: true,
    });
    assert.equal((resolved.channels.mail as { smtp: string }).smtp, smtp);
    assert.equal((resolved.channels.hook as { token?: string }).token, "hook-token-123");
  });

  test("unreadable or malformed secrets are reported by path, naming the file or variable, never the value", async () => {
    const parsed = parseChannels({
      a: { type: "slack", url: { file: "/run/secrets/missing" } },
      b: { type: "slack", url: { file: "/run/secrets/empty" } },
      c: { type: "slack", url: { file: "/run/secrets/bad-url" } },
      d: { type: "pagerduty", routing_key: { env: "UNSET" } },
      e: { type: "pagerduty", routing_key: { env: "EMPTY" } },
      f: { type: "email", smtp: { env: "PD_KEY" }, from: "a@b.c", to: ["d@e.f"] },
    });
    assert.ok(parsed.ok);
    const resolved = await resolveChannels(parsed.channels, source);
    assert.ok(!resolved.ok);
    assert.deepEqual(
      resolved.problems.map((p) => [p.kind, p.path, p.message]),
      [
        ["secret", "channels.a.url", "cannot read the file /run/secrets/missing (ENOENT)"],
        ["secret", "channels.b.url", "the file /run/secrets/empty is empty"],
        [
          "secret",
          "channels.c.url",
          "the value in /run/secrets/bad-url must be an http or https URL, not ftp:",
        ],
        ["secret", "channels.d.routing_key", "the environment variable UNSET is not set"],
        ["secret", "channels.e.routing_key", "the environment variable EMPTY is empty"],
        ["secret", "channels.f.smtp", "the value of PD_KEY is not a valid URL"],
      ],
    );
    const text = JSON.stringify(resolved.problems);
    for (const secret of ["Secret-In-File", routingKey]) assert.ok(!text.includes(secret), secret);
  });

  test("loadNotifiers builds one notifier per channel, or throws CONFIG_INVALID with every problem", async () => {
    const notifiers = await loadNotifiers(valid, source);
    assert.deepEqual(
      [...notifiers].map(([name, notifier]) => [name, notifier.kind, notifier.name]),
      [
        ["slack-oncall", "slack", "slack-oncall"],
        ["pager", "pagerduty", "pager"],
        ["mail", "email", "mail"],
        ["hook", "webhook", "hook"],
        ["am", "alertmanager", "am"],
      ],
    );
    assert.ok(notifiers.get("slack-oncall") instanceof SlackNotifier);
    assert.ok(notifiers.get("pager") instanceof PagerDutyNotifier);
    assert.ok(notifiers.get("mail") instanceof EmailNotifier);
    assert.ok(notifiers.get("hook") instanceof WebhookNotifier);
    assert.ok(notifiers.get("am") instanceof AlertmanagerNotifier);
    await Promise.all([...notifiers.values()].map((n) => n.close?.()));

    await assert.rejects(
      loadNotifiers({ x: { type: "slack", url: { env: "UNSET" } }, y: { type: "nope" } }, source),
      (error: unknown) => {
        assert.ok(isTikTokToeError(error, "CONFIG_INVALID"));
        assert.equal(
          error.message,
          '1 problem(s) in the alert channels:\nchannels.y.type: "nope" is not a channel type',
        );
        assert.equal(error.problems?.length, 1);
        return true;
      },
    );
    await assert.rejects(
      loadNotifiers({ x: { type: "slack", url: { env: "UNSET" } } }, source),
      /UNSET is not set/,
    );
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Dispatcher } from "../alerts/index.js";
import { parseConfig } from "../config/index.js";
import { repoPath } from "../testing/paths.js";
import { loadAlerting } from "./alerting.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-alerting-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The complete example of docs/alerting.md, with its secret files made real. */
function documentedExample(): string {
  const doc = readFileSync(repoPath("docs", "alerting.md"), "utf8");
  const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
  writeFileSync(join(dir, "slack-webhook"), "https://hooks.slack.com/services/T0/B0/secret-slack\n");
  writeFileSync(join(dir, "hook-token"), "secret-token\n");
  return yaml
    .replace("/run/secrets/slack-webhook", join(dir, "slack-webhook"))
    .replace("/run/secrets/hook-token", join(dir, "hook-token"));
}

test("the complete example in docs/alerting.md loads, secrets from files and the environment", async () => {
  process.env.PD_ROUTING_KEY = "R0123456789abcdef0123456789abcdef";
  process.env.SMTP_URL = "smtp://alerts:secret-password@127.0.0.1:2525";
  try {
    const parsed = parseConfig(documentedExample());
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
    const setup = await loadAlerting(parsed.config.alerting, "http://127.0.0.1:8080");
    assert.deepEqual([...setup.notifiers.keys()].sort(), ["am", "hook", "mail", "oncall-slack", "pager"]);
    assert.deepEqual([...setup.receivers.keys()], ["default", "paging"]);
    assert.equal(setup.externalUrl, "https://tiktoktoe.example.com");
    for (const notifier of setup.notifiers.values()) await notifier.close?.();
  } finally {
    delete process.env.PD_ROUTING_KEY;
    delete process.env.SMTP_URL;
  }
});

test("every problem is reported with its path, and no secret is printed", async () => {
  process.env.SMTP_URL = "smtp://alerts:secret-password@127.0.0.1:2525";
  try {
    // PD_ROUTING_KEY is missing; a matcher is malformed; a receiver names an unknown channel; a bad duration.
    const yaml = documentedExample()
      .replace(`matchers: ['severity=~"critical|emergency"']`, `matchers: ['severity=~"critical|emergency']`)
      .replace("channels: [pager, oncall-slack]", "channels: [pager, nope]")
      .replace("group_wait: 30s", "group_wait: 30 parsecs");
    const parsed = parseConfig(yaml);
    assert.ok(parsed.ok);
    await assert.rejects(
      loadAlerting(parsed.config.alerting, "http://127.0.0.1:8080"),
      (error: Error & { code?: string; problems?: string[] }) => {
        assert.equal(error.code, "CONFIG_INVALID");
        const text = `${error.message}\n${(error.problems ?? []).join("\n")}`;
        assert.match(text, /alerting\.channels\.pager\.routing_key/);
        assert.match(text, /alerting\.route\.routes\[0\]/);
        assert.match(text, /alerting\.route\.group_wait/);
        assert.doesNotMatch(text, /secret-password|secret-slack|secret-token/);
        return true;
      },
    );
  } finally {
    delete process.env.SMTP_URL;
  }
});

/** An alerting section with one webhook receiver and the given inhibit_rules lines. */
function withInhibitRules(...lines: string[]): string {
  return [
    "alerting:",
    "  channels: { hook: { type: webhook, url: 'http://127.0.0.1:9/hook' } }",
    "  receivers: { default: { channels: [hook] } }",
    "  route: { receiver: default, group_by: [alertname] }",
    "  inhibit_rules:",
    ...lines.map((line) => `    ${line}`),
    "",
  ].join("\n");
}

test("an inhibit rule with only the legacy source_match/target_match_re keys loads and inhibits", async () => {
  // Before, the raw rule went straight to buildInhibitRules, which crashed on the missing
  // source_matchers (undefined.flatMap) and stopped the server at start-up.
  const parsed = parseConfig(
    withInhibitRules(
      "- source_match: { severity: critical }",
      "  target_match_re: { severity: 'warning|info' }",
      "  equal: [model]",
    ),
  );
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
  // The server's path: the parsed section through loadAlerting, its rules into the Dispatcher as
  // Alerting.open passes them.
  const setup = await loadAlerting(parsed.config.alerting, "http://127.0.0.1:8080");
  const dispatcher = new Dispatcher({ route: setup.route, inhibitRules: setup.inhibitRules });
  const at = Date.parse("2026-03-02T00:00:00Z");
  const alert = (labels: Record<string, string>) => ({ labels, annotations: {}, startsAt: at, endsAt: null });
  dispatcher.update(
    [
      alert({ alertname: "GpuDown", model: "bike", severity: "critical" }),
      alert({ alertname: "Latency", model: "bike", severity: "warning" }),
      alert({ alertname: "Latency", model: "taxi", severity: "warning" }),
      alert({ alertname: "Latency", model: "bike", severity: "warnings" }),
    ],
    at,
  );
  const byKey = new Map(
    dispatcher.alerts(at).map((a) => [`${a.labels.model}/${a.labels.severity}`, a] as const),
  );
  const critical = byKey.get("bike/critical")!;
  assert.deepEqual(byKey.get("bike/warning")!.inhibitedBy, [critical.fingerprint]);
  assert.equal(byKey.get("bike/warning")!.state, "suppressed");
  assert.deepEqual(byKey.get("taxi/warning")!.inhibitedBy, [], "equal: [model] differs");
  assert.deepEqual(byKey.get("bike/warnings")!.inhibitedBy, [], "the regex is anchored");
  assert.deepEqual(critical.inhibitedBy, []);
  for (const notifier of setup.notifiers.values()) await notifier.close?.();
});

test("a malformed inhibit rule is CONFIG_INVALID with its path and the user's documentation", async () => {
  const parsed = parseConfig(
    withInhibitRules(
      "- source_match_re: { env: '(' }",
      "  target_matchers: 'severity=\"warning\"'",
      "  equals: [model]",
      "- just a string",
    ),
  );
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
  await assert.rejects(
    loadAlerting(parsed.config.alerting, "http://127.0.0.1:8080"),
    (error: Error & { code?: string; problems?: string[]; hint?: string }) => {
      assert.equal(error.code, "CONFIG_INVALID");
      const problems = error.problems ?? [];
      assert.equal(problems.length, 4, problems.join("\n"));
      for (const path of [
        "alerting.inhibit_rules[0].source_match_re.env: ",
        "alerting.inhibit_rules[0].target_matchers: ",
        "alerting.inhibit_rules[0].equals: ",
        "alerting.inhibit_rules[1]: ",
      ])
        assert.ok(
          problems.some((p) => p.startsWith(path)),
          `${path} in ${problems.join("\n")}`,
        );
      // The user's page, not the design notes.
      assert.match(error.hint ?? "", /^see docs\/alerting\.md$/);
      return true;
    },
  );
});

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
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

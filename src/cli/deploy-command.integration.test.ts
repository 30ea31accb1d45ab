import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { decodeModel, encodeModel } from "../onnx/index.js";
import { ORIGINAL, servingFixture } from "../server/serving/deploy.test.helpers.js";
import { runCli } from "../testing/cli.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-deploy-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("tiktoktoe deploy starts a rollout and tiktoktoe rollback ends it; bad input exits 2 naming the option", async () => {
  const server = await servingFixture(join(dir, "data"), encodeModel(decodeModel(ORIGINAL)));
  try {
    const deploy = await runCli([
      "deploy",
      "cancer",
      "v2",
      "--server",
      server.url,
      "--canary",
      "5,25,50,100",
      "--shadow",
      "1h",
      "--source",
      "optimization:run-7",
    ]);
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /cancer v2 is shadow; steps 5 → 25 → 50 → 100/);
    const twice = await runCli(["deploy", "cancer", "v2", "--server", server.url]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /409 DEPLOY_CONFLICT/);
    const rollback = await runCli(["rollback", "cancer", "--server", server.url, "--reason", "not today"]);
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.match(rollback.stdout, /production is v1/);
    const state = (await (await fetch(`${server.url}/v1/models/cancer/deployment`)).json()) as {
      rollout: { phase: string; reason: string; source: unknown };
    };
    assert.equal(state.rollout.phase, "rolled-back");
    assert.match(state.rollout.reason, /not today \(cli/);
    assert.deepEqual(state.rollout.source, { kind: "optimization", id: "run-7" });
    // Verification first: a latency budget no model meets refuses the next rollout, exit 2 naming it.
    const declared = await fetch(`${server.url}/v1/models/cancer/verification`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ metrics: { latency: { budgetMs: 1e-9, runs: 10 } } }),
    });
    assert.equal(declared.status, 200);
    const refused = await runCli(["deploy", "cancer", "v2", "--server", server.url]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /422 VERIFICATION_FAILED: version "v2" failed verification: latency: p99/);
    const badSteps = await runCli(["deploy", "cancer", "v2", "--server", server.url, "--canary", "5,x"]);
    assert.equal(badSteps.code, 2);
    assert.match(badSteps.stderr, /--canary: step 2/);
    const noServer = await runCli(["deploy", "cancer", "v2"]);
    assert.equal(noServer.code, 2);
    assert.match(noServer.stderr, /--server/);
  } finally {
    await server.close();
  }
});

import assert from "node:assert/strict";

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Daemon, startAlertmanager } from "../testing/daemon.js";
import { AlertmanagerNotifier, buildPostableAlerts } from "./alertmanager.js";
import { type AttemptRecord, deliver } from "./delivery.js";
import type { Notification } from "./notification.js";
import { deadUrl, sampleAlert, sampleNotification } from "./receivers.test.helpers.js";

// Debian's real Alertmanager (package prometheus-alertmanager, installed by .ci/run) receives our
// alerts through the sink and is read back through its own API: this proves the postableAlert we
// send is what Alertmanager accepts, and that a resolved alert resolves there.
const BINARY = ["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager"].find((path) => existsSync(path));
const MISSING =
  BINARY === undefined
    ? "install Debian's prometheus-alertmanager package (apt-get install prometheus-alertmanager): " +
      "neither /usr/bin/prometheus-alertmanager nor /usr/bin/alertmanager exists"
    : null;
const DEADLINE_MS = 8_000;

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-alertmanager-"));
let alertmanager: Daemon | undefined;
let baseUrl = "";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  generatorURL?: string;
  receivers: Array<{ name: string }>;
  status: { state: string };
}

async function alerts(): Promise<GettableAlert[]> {
  const response = await fetch(`${baseUrl}/api/v2/alerts`);
  assert.equal(response.status, 200);
  return (await response.json()) as GettableAlert[];
}

/** Polls GET /api/v2/alerts until `done` holds (Alertmanager processes posted alerts asynchronously). */
async function until(done: (list: GettableAlert[]) => boolean, what: string): Promise<GettableAlert[]> {
  const deadline = Date.now() + DEADLINE_MS;
  let last: GettableAlert[] = [];
  while (Date.now() < deadline) {
    last = await alerts();
    if (done(last)) return last;
    await sleep(100);
  }
  assert.fail(
    `${what} within ${DEADLINE_MS} ms; last answer ${JSON.stringify(last)}; log:\n${alertmanager?.log().slice(-3000)}`,
  );
}

before(async () => {
  if (BINARY === undefined) return;
  const port = Number(new URL(await deadUrl()).port);
  baseUrl = `http://127.0.0.1:${port}`;
  const config = join(dir, "alertmanager.yml");
  writeFileSync(config, ["route:", '  receiver: "null"', "receivers:", '  - name: "null"', ""].join("\n"));
  alertmanager = await startAlertmanager(BINARY, config, join(dir, "data"), port, DEADLINE_MS);
});

after(async () => {
  await alertmanager?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The sample group with real times (Alertmanager judges "resolved" against its clock). */
function liveNotification(): Notification {
  const startsAt = new Date(Date.now() - 10 * 60_000).toISOString();
  return sampleNotification({
    alerts: sampleNotification().alerts.map((alert) => ({ ...alert, startsAt })),
  });
}

describe("a real Alertmanager receives our alerts through the sink", () => {
  test("firing alerts arrive with their labels and annotations, active", async (t) => {
    if (MISSING !== null) {
      t.skip(MISSING);
      return;
    }
    const notification = liveNotification();
    const records: AttemptRecord[] = [];
    const sink = new AlertmanagerNotifier({ name: "am", url: baseUrl });
    const result = await deliver(sink, notification, { onAttempt: (r) => records.push(r) });
    assert.deepEqual(result, {
      ok: true,
      attempts: 1,
      elapsedMs: result.elapsedMs,
      outcome: { ok: true, status: 200 },
    });
    assert.equal(records.length, 1);

    const list = await until(
      (l) => l.filter((a) => a.labels.model === "bike" && a.status.state === "active").length === 2,
      "two active bike alerts",
    );
    for (const sent of notification.alerts) {
      const got = list.find((a) => a.labels.alertname === sent.labels.alertname);
      assert.ok(got, `${sent.labels.alertname} missing from ${JSON.stringify(list)}`);
      assert.deepEqual(got.labels, sent.labels);
      assert.deepEqual(got.annotations, sent.annotations);
      assert.equal(Date.parse(got.startsAt), Date.parse(sent.startsAt));
      assert.equal(got.generatorURL, sent.generatorURL);
      assert.deepEqual(got.receivers, [{ name: "null" }]);
      assert.match(got.fingerprint, /^[0-9a-f]{16}$/);
      // No end was sent, so Alertmanager applies resolve_timeout (5 minutes by default).
      assert.ok(Date.parse(got.endsAt) > Date.now(), got.endsAt);
    }
  });

  test("resolved alerts carry their end and stop being active", async (t) => {
    if (MISSING !== null) {
      t.skip(MISSING);
      return;
    }
    const firing = liveNotification();
    const endsAt = new Date(Date.now() - 1_000).toISOString();
    const resolved: Notification = {
      ...firing,
      status: "resolved",
      alerts: firing.alerts.map((alert) => ({ ...alert, status: "resolved", endsAt })),
    };
    assert.deepEqual(
      buildPostableAlerts(resolved).map((a) => a.endsAt),
      [endsAt, endsAt],
    );
    const outcome = await new AlertmanagerNotifier({ name: "am", url: baseUrl }).send(
      resolved,
      AbortSignal.timeout(5_000),
    );
    assert.deepEqual(outcome, { ok: true, status: 200 });
    // Alertmanager 0.25 leaves resolved alerts out of GET /api/v2/alerts; a version that lists them
    // must show the end we sent.
    await until(
      (list) =>
        list
          .filter((a) => a.labels.model === "bike")
          .every((a) => a.status.state !== "active" || Date.parse(a.endsAt) <= Date.parse(endsAt)),
      "the bike alerts resolved",
    );
  });

  test("an alert Alertmanager rejects (400) is not retried", async (t) => {
    if (MISSING !== null) {
      t.skip(MISSING);
      return;
    }
    const invalid = sampleNotification({
      alerts: [sampleAlert({ labels: { alertname: "Bad", "not a label name": "x" } })],
    });
    const records: AttemptRecord[] = [];
    const result = await deliver(new AlertmanagerNotifier({ name: "am", url: baseUrl }), invalid, {
      initialDelayMs: 5,
      onAttempt: (r) => records.push(r),
    });
    assert.ok(!result.ok);
    assert.equal(result.gaveUp, "permanent");
    assert.equal(records.length, 1);
    assert.ok(!result.outcome.ok && result.outcome.status === 400, JSON.stringify(result.outcome));
  });
});

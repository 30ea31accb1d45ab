// Issue #12: alert evaluation is never missed. Alerting consumes "window final" from its own
// checkpoint (`alerting:<model>`), so a failure or a crash between the flush that writes a final
// window and the evaluation of its rules is followed by that evaluation — at the next flush, or after
// the restart — and the alert fires exactly once.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { validateConfig } from "../config/index.js";
import { openSqliteStore, type Store } from "../store/index.js";
import { Alerting, loadAlerting } from "./alerting.js";
import { MonitorService } from "./monitor-service.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-alert-replay-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const H = 3_600_000;
const T0 = Date.parse("2026-03-02T00:00:00Z");
const config = (() => {
  const result = validateConfig({
    monitor: { window: "1h", lateness: "1h", min_samples: 5 },
    metrics: { quality: { metric: "mae", threshold: 10 } },
  });
  assert.ok(result.ok);
  return result.config;
})();

/** A store whose named methods fail (like a full disk) while `failing` holds them. */
function faulty(store: Store, failing: Set<string>): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        failing.has(String(property))
          ? Promise.reject(Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
}

async function open(file: string, failing: Set<string>) {
  const store = faulty(await openSqliteStore({ file }), failing);
  const setup = await loadAlerting(
    {
      // Never delivered here: the outbox is what the test counts.
      channels: { hook: { type: "webhook", url: "http://127.0.0.1:9/hook" } },
      receivers: { default: { channels: ["hook"] } },
      route: {
        receiver: "default",
        group_by: ["model", "alertname"],
        group_wait: "0s",
        repeat_interval: "1d",
      },
    },
    "http://127.0.0.1:8080",
  );
  const alerting = await Alerting.open(store, setup, () => T0);
  const service = await MonitorService.open({ store, config, clock: "event", now: () => T0, alerting });
  return { store, service };
}

/** Six hours of events predicting 150 whose labels say 100: the quality rule breaches (MAE 50 > 10). */
async function ingestBadHours(service: MonitorService) {
  await service.registerModel({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] });
  await service.registerVersion("m", { version: "1" });
  for (let hour = 0; hour < 6; hour++) {
    const events = Array.from({ length: 10 }, (_, i) => ({
      id: `h${hour}-${i}`,
      time: T0 + hour * H + i * 60_000,
      version: "1",
      features: { x: i },
      prediction: 150,
    }));
    await service.ingestEvents("m", events.map((e) => JSON.stringify(e)).join("\n"), "ndjson");
    await service.ingestLabels("m", JSON.stringify(events.map((e) => ({ id: e.id, value: 100 }))), "json");
  }
}

/** The firing notifications of the quality rule in the outbox. */
const firings = async (store: Store) =>
  (await store.listNotifications(1000)).filter((n) => {
    const body = JSON.parse(n.payload) as {
      status: string;
      alerts: Array<{ labels: Record<string, string> }>;
    };
    return body.status === "firing" && body.alerts.some((a) => a.labels.alertname === "ModelQualityLow");
  });

test("a crash between writing final windows and evaluating them: the restart evaluates them, the alert fires once", async () => {
  const file = join(dir, "crash.db");
  const failing = new Set<string>();
  let { store, service } = await open(file, failing);
  await ingestBadHours(service);
  // The flush writes the final windows, then the evaluation's commit fails: as if the process died
  // between the two.
  failing.add("commitAlerting");
  await assert.rejects(service.flush());
  assert.ok((await store.getCheckpoint("alerting:m")) <= T0, "the checkpoint did not pass the first window");
  const written = await service.windows("m", T0, T0 + 6 * H);
  assert.ok(written.filter((w) => w.final === true).length >= 3, "final windows were written");
  assert.equal((await firings(store)).length, 0);
  await store.close(); // the process is gone: nothing else is written

  failing.clear();
  ({ store, service } = await open(file, failing));
  await service.advanceClock("m", { time: T0 + 8 * H });
  assert.equal((await firings(store)).length, 1, "the alert fires once after the restart");
  assert.equal(
    await store.getCheckpoint("alerting:m"),
    T0 + 7 * H,
    "every final window consumed (8 h − 1 h lateness)",
  );
  const alert = service.alerting
    ?.alerts(service.alertingNow())
    .find((a) => a.labels.alertname === "ModelQualityLow");
  assert.equal(alert?.status, "firing");
  await service.flush();
  assert.equal((await firings(store)).length, 1, "a later flush decides nothing again");
  await service.close();
  await store.close();
});

test("a failed evaluation is retried by the next flush of the same process, and fires once", async () => {
  const failing = new Set<string>();
  const { store, service } = await open(join(dir, "retry.db"), failing);
  await ingestBadHours(service);
  failing.add("commitAlerting");
  await assert.rejects(service.flush());
  assert.equal(service.storeFailure?.code, "disk_full", "readiness reports the failure");
  failing.clear();
  await service.advanceClock("m", { time: T0 + 8 * H });
  assert.equal((await firings(store)).length, 1);
  await service.flush();
  assert.equal((await firings(store)).length, 1);
  await service.close();
  await store.close();
});
